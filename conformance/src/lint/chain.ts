/**
 * Middleware checks between nested lint layers: `lint(middleware(lint(app)))`. Each layer
 * registers in a per-request chain carried in environ, Rack's `rack.lint.body_iteration`
 * technique (research gateway-specs §3.2), so the outer layer can see what the middleware did
 * to the inner body: MW-02 (one yield per upstream chunk), MW-03 (no pre-consumption),
 * MW-04 (release propagated), MW-08 (unknown keys passed through).
 */
import type { Environ } from '@tsgi/core';
import type { Exchange } from './exchange.js';

/** The environ key carrying the chain; a lower-case extension prefix (ENV-25). */
export const CHAIN_KEY = 'conformance.lint.chain';

interface _Chain {
  layers: Exchange[];
}

// A lint layer's wrapped tsgi.input identifies the request even when a middleware dropped
// CHAIN_KEY, which is how MW-08 is detected.
const _byInput = new WeakMap<object, _Chain>();

/** One layer's place in the chain. */
export class ChainPosition {
  readonly #chain: _Chain;
  readonly #index: number;
  #seen = 0;

  /** Joins (or starts) the chain for the request whose environ the server passed. */
  constructor(environ: Environ, ex: Exchange) {
    const carried = environ[CHAIN_KEY] as _Chain | undefined;
    const viaInput = _byInput.get(environ['tsgi.input'] as object);
    if (carried === undefined && viaInput !== undefined) {
      viaInput.layers
        .at(-1)
        ?.reporter.report(
          'MW-08',
          'application',
          `middleware dropped the environ key ${CHAIN_KEY}; unknown keys must pass through`,
        );
    }
    this.#chain = carried ?? viaInput ?? { layers: [] };
    this.#index = this.#chain.layers.length;
    this.#chain.layers.push(ex);
    ex.inner = () => this.#inner;
  }

  /** Keys to add to the environ passed down, and registers the wrapped input. */
  link(inner: Record<string, unknown>): void {
    inner[CHAIN_KEY] = this.#chain;
    const input = inner['tsgi.input'];
    if (typeof input === 'object' && input !== null) _byInput.set(input, this.#chain);
  }

  get #outer(): Exchange | undefined {
    return this.#index > 0 ? this.#chain.layers[this.#index - 1] : undefined;
  }

  get #inner(): Exchange | undefined {
    return this.#chain.layers[this.#index + 1];
  }

  /** True for the layer facing the real server. */
  get outermost(): boolean {
    return this.#index === 0;
  }

  /** MW-03: the layer above must have returned its body before this body is iterated. */
  atFirstNext(): void {
    const outer = this.#outer;
    if (outer !== undefined && !outer.bodyReturned)
      outer.reporter.report(
        'MW-03',
        'application',
        'middleware iterated the inner body before returning its own; it must not pre-consume',
      );
  }

  /** MW-02: at most one upstream chunk consumed per chunk this layer yields. */
  atYield(ex: Exchange): void {
    const inner = this.#inner;
    if (inner === undefined) return;
    const pulled = inner.yields - this.#seen;
    this.#seen = inner.yields;
    if (pulled > 1)
      ex.reporter.report(
        'MW-02',
        'application',
        `middleware consumed ${pulled} upstream chunks before yielding once; yield per chunk`,
      );
  }

  /** MW-02 at the end: upstream chunks consumed and never answered by a yield. */
  atDone(ex: Exchange): void {
    const inner = this.#inner;
    if (inner === undefined || inner.yields === this.#seen) return;
    ex.reporter.report(
      'MW-02',
      'application',
      `middleware consumed ${inner.yields - this.#seen} upstream chunks without yielding`,
    );
  }

  /** MW-04: after this layer is released, the inner body must be released too. */
  atRelease(ex: Exchange): void {
    const inner = this.#inner;
    if (inner === undefined || !inner.record.body.ownHook) return;
    const check = (): void => {
      if (!inner.record.released)
        ex.reporter.note(
          'MW-04',
          'application',
          `middleware did not call the original body's ${inner.record.body.hook}()`,
        );
    };
    // Best effort: give the middleware a moment to release asynchronously.
    const timer = setTimeout(check, 100);
    timer.unref?.();
    void inner.record.finished.then(() => clearTimeout(timer));
  }
}
