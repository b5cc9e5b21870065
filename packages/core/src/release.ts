/**
 * Releasing a response body (spec 07, BODY-04..07, BODY-16): `return()` on an iterator that
 * stopped early, then the body's one completion hook. A failure of either is logged, never
 * raised (BODY-07).
 */

/** Where release failures are reported: the engine's `tsgi.errors` writer. */
export interface ReleaseLog {
  log(message: string): void;
}

function _noop(): void {}

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    v !== null && typeof v === 'object' && typeof (v as PromiseLike<unknown>).then === 'function'
  );
}

export function stackOf(err: unknown): string {
  return err instanceof Error ? (err.stack ?? String(err)) : String(err);
}

/**
 * BODY-05: calls `return()` on an iterator that has not finished. Not awaited: an idle source's
 * `return()` may never settle, and the response must still end (BODY-16 step 1 only needs the
 * call).
 */
export function returnIterator(
  it: Iterator<unknown> | AsyncIterator<unknown>,
  logger: ReleaseLog,
): void {
  const ret = it.return;
  if (typeof ret !== 'function') return;
  try {
    const r = (ret as (this: unknown) => unknown).call(it);
    if (isThenable(r)) {
      r.then(_noop, (err: unknown) => logger.log(`BODY-07: body return() threw: ${stackOf(err)}`));
    }
  } catch (err) {
    logger.log(`BODY-07: body return() threw: ${stackOf(err)}`);
  }
}

/**
 * BODY-06, BODY-16: calls the body's completion hook, the first of `[Symbol.asyncDispose]`,
 * `[Symbol.dispose]`, `close` that is a function (ordinary property access: inherited ones
 * count). Returns a promise when the hook returned one: it settles (never rejects) once the hook's
 * has, and the request counts as complete only then (SRV-09).
 */
export function callCompletionHook(body: object, logger: ReleaseLog): void | Promise<void> {
  const b = body as Record<PropertyKey, unknown>;
  let what = '[Symbol.asyncDispose]()';
  let hook = b[Symbol.asyncDispose];
  if (typeof hook !== 'function') {
    what = '[Symbol.dispose]()';
    hook = b[Symbol.dispose];
    if (typeof hook !== 'function') {
      what = 'close()';
      hook = b.close;
      if (typeof hook !== 'function') return;
    }
  }
  let r: unknown;
  try {
    r = (hook as (this: object) => unknown).call(body);
  } catch (err) {
    logger.log(`BODY-07: body ${what} threw: ${stackOf(err)}`);
    return;
  }
  if (!isThenable(r)) return;
  const pending = r;
  return new Promise<void>((resolve) => {
    pending.then(
      () => resolve(),
      (err: unknown) => {
        logger.log(`BODY-07: body ${what} rejected: ${stackOf(err)}`);
        resolve();
      },
    );
  });
}
