/**
 * `tsgi.signal`'s abort as the lint sees it: the reason is always a `ClientDisconnectError`
 * (ENV-32), and the signal never aborts once the response ended normally (ENV-31; srvx#152).
 */
import type { Exchange } from './exchange.js';
import { errorCode } from './guard.js';
import { describe } from './violation.js';

/**
 * True once the response ended normally, as far as this layer knows: the server called the
 * completion hook without an abort, after a body that finished without error, stopped at its
 * content-length (BODY-08) or was never needed (HEAD, 204, 205, 304), with no underrun (BODY-09).
 */
function _endedNormally(ex: Exchange): boolean {
  const rec = ex.record;
  const body = rec.body;
  if (!rec.released || rec.abortedAtRelease !== false || body.threw) return false;
  const reached = ex.contentLength >= 0 && ex.produced >= ex.contentLength;
  const bodiless = ex.isHead || ex.bodyless;
  if (ex.contentLength >= 0 && !reached && !bodiless) return false; // BODY-09 aborts
  return body.done || reached || (bodiless && body.nextCalls === 0);
}

/** Watches the server's `tsgi.signal` for this request. */
export function watchSignal(ex: Exchange): void {
  const signal: unknown = ex.environ['tsgi.signal'];
  if (!(signal instanceof AbortSignal)) return; // ENV-24 reports it
  const check = (): void => {
    const reason: unknown = signal.reason;
    if (errorCode(reason) !== 'TSGI_CLIENT_DISCONNECT')
      ex.reporter.note(
        'ENV-32',
        'server',
        `tsgi.signal aborted with ${describe(reason)}; the reason must be a ClientDisconnectError`,
      );
    if (_endedNormally(ex))
      ex.reporter.note('ENV-31', 'server', 'tsgi.signal aborted after the response ended normally');
  };
  if (signal.aborted) check();
  else signal.addEventListener('abort', check, { once: true });
}
