/**
 * `RequestAbort`: a request's abort state whose `AbortSignal` is created only when something
 * reads `tsgi.signal`. On Node 20 `new AbortController()` costs microseconds per request
 * (nodejs/node#52408 fixed that in 22), which is most of a hello-world request's overhead, and
 * most requests never look at their signal (ENV-24 allows the lazy form, see ENV-01).
 */
import { ClientDisconnectError } from './errors.js';

export class RequestAbort {
  #controller: AbortController | undefined = undefined;
  #aborted = false;
  #reason: unknown = undefined;

  /** True once `abort()` was called; reading it never creates the signal. */
  get aborted(): boolean {
    return this.#aborted;
  }

  /** The request's `AbortSignal`, created on first access (already aborted if abort() came first). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Aborts the request (ENV-24); the reason defaults to a `ClientDisconnectError`. Idempotent. */
  abort(reason: unknown = new ClientDisconnectError()): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}

// ENV-02: environ's keys are all strings, so the abort state lives beside it, not on it.
const _aborts = new WeakMap<object, RequestAbort>();

function _getSignal(this: object): AbortSignal {
  return _aborts.get(this)!.signal;
}

function _setSignal(this: object, value: unknown): void {
  // ENV-01: environ stays mutable; an assignment turns the key back into a data property.
  Object.defineProperty(this, 'tsgi.signal', {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

// One shared descriptor, so no per-request closure is created for the accessor.
const _SIGNAL_DESCRIPTOR: PropertyDescriptor = {
  get: _getSignal,
  set: _setSignal,
  enumerable: true,
  configurable: true,
};

/**
 * Defines `tsgi.signal` on `environ` as an enumerable accessor backed by `abort`. A spread copy
 * (`{ ...environ }`) reads it, so middleware copies see the same signal (MW-08).
 */
export function defineLazySignal(environ: object, abort: RequestAbort): void {
  _aborts.set(environ, abort);
  Object.defineProperty(environ, 'tsgi.signal', _SIGNAL_DESCRIPTOR);
}
