/**
 * `RequestAbort`: a request's abort state whose `AbortSignal` is created only when something
 * reads `tsgi.signal`. On Node 20 `new AbortController()` costs about 1.5 µs per request
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

// ENV-02: environ's keys are all strings, so the abort state cannot sit on it under a symbol.
// A class private field can: a base constructor that returns its argument makes the subclass
// stamp `#abort` onto the plain environ, invisible to `Reflect.ownKeys`, spread and JSON, and
// collected with it. The first version kept a WeakMap from environ to state: an ephemeron per
// request made V8's collector cost about 0.4 µs per request (bench/profile.mjs, node hello).
class _ReturnsTarget {
  constructor(target: object) {
    // biome-ignore lint/correctness/noConstructorReturn: the return override is the mechanism
    return target;
  }
}

class _AbortBinding extends _ReturnsTarget {
  #abort: RequestAbort;

  constructor(environ: object, abort: RequestAbort) {
    super(environ);
    this.#abort = abort;
  }

  /** Binds `abort` to `environ`, replacing an earlier binding (a field is added only once). */
  static attach(environ: object, abort: RequestAbort): void {
    if (#abort in environ) environ.#abort = abort;
    else new _AbortBinding(environ, abort);
  }

  static signal(environ: object): AbortSignal {
    // A copy made by Object.create(environ) has no field of its own: never-aborting signal.
    return #abort in environ ? environ.#abort.signal : new AbortController().signal;
  }
}

function _getSignal(this: object): AbortSignal {
  return _AbortBinding.signal(this);
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
  _AbortBinding.attach(environ, abort);
  Object.defineProperty(environ, 'tsgi.signal', _SIGNAL_DESCRIPTOR);
}

/** `defineLazySignal` for an environ `createEnviron` has just made: no earlier binding to replace. */
export function _defineLazySignalNew(environ: object, abort: RequestAbort): void {
  new _AbortBinding(environ, abort);
  Object.defineProperty(environ, 'tsgi.signal', _SIGNAL_DESCRIPTOR);
}
