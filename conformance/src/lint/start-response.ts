/**
 * Wrappers for `startResponse` (SR-01..11) and the `write` it returns (WR-01..03, APP-04),
 * checking the application's arguments and the server's answers (research gateway-specs §2.2,
 * §2.5: wsgiref checks the arguments but not whether the server throws when it must).
 */
import {
  ContractError,
  type ResponseHeaders,
  type StartResponse,
  statusCode,
  validateHeaders,
  validateStatus,
  type Write,
} from '@tsgi/core';
import type { Exchange } from './exchange.js';
import { errorCode, type Guard, guard } from './guard.js';
import { TransformCheck } from './transform.js';
import { describe, isThenable } from './violation.js';

// SR-05 (SHOULD): controls other than HTAB should not appear in values.
const _CONTROLS = /[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/** Wraps the server's `startResponse` for one request. */
export function wrapStartResponse(serverStart: StartResponse, ex: Exchange): StartResponse {
  const r = ex.reporter;
  const rec = ex.record.startResponse;
  const call = serverStart as (...args: unknown[]) => unknown;
  return function lintStartResponse(...args: unknown[]): Write {
    // SR-01: positional (status, headers, excInfo?).
    if (args.length < 2 || args.length > 3)
      r.report('SR-01', 'application', `startResponse takes 2 or 3 arguments, got ${args.length}`);
    const [status, headers, excInfo] = args;
    const hasExc = excInfo !== undefined;
    const before = rec.calls++;
    const late = ex.completed;
    if (late) r.report('SR-14', 'application', 'startResponse called after the request completed');
    // SR-09: a second call needs excInfo, even when the first one threw.
    if (!hasExc && before > 0)
      r.report('SR-09', 'application', 'startResponse called a second time without excInfo');
    // BODY-11: transfer codings are the server's; SR-06 below rejects the field too.
    if (
      Array.isArray(headers) &&
      headers.some((h) => Array.isArray(h) && String(h[0]).toLowerCase() === 'transfer-encoding')
    )
      r.report('BODY-11', 'application', 'applications must not send transfer-encoding');
    let valid = true;
    let length = -1;
    try {
      validateStatus(status); // SR-02
      length = validateHeaders(headers, statusCode(status as string)); // SR-03..06
    } catch (err) {
      valid = false;
      const id = err instanceof ContractError ? err.requirement : 'SR-03';
      const msg = err instanceof Error ? err.message.replace(/^[A-Z]+-\d+: /, '') : String(err);
      r.report(id, 'application', msg);
    }
    if (valid) {
      _advise(status as string, headers as ResponseHeaders, ex);
      ex.lengths?.check(ex, statusCode(status as string), headers as ResponseHeaders, length);
    }
    let write: unknown;
    try {
      write = call(...args);
    } catch (err) {
      if (hasExc && ex.headersOut) {
        rec.excInfoThrew = true; // SR-11 is checked when the application carries on.
        if (err !== excInfo) r.note('SR-10', 'server', 'must throw excInfo itself');
      } else if (!valid || late || (!hasExc && before > 0)) {
        _checkContractError(err, ex); // ERR-06
      }
      throw err;
    }
    if (late) r.note('SR-14', 'server', 'startResponse after completion must throw');
    else if (!valid) r.note('SR-07', 'server', 'startResponse accepted invalid arguments');
    else if (!hasExc && before > 0)
      r.note('SR-09', 'server', 'a second startResponse without excInfo must throw');
    else if (hasExc && ex.headersOut)
      r.note('SR-10', 'server', 'startResponse with excInfo after headers were sent must throw');
    if (valid) {
      ex.code = statusCode(status as string);
      ex.contentLength = length;
      ex.transform = TransformCheck.begin(ex, headers as ResponseHeaders); // MW-10
      rec.status = status as string;
      rec.headers = headers as ResponseHeaders;
    }
    if (typeof write !== 'function') {
      r.note('SR-01', 'server', `startResponse returned ${describe(write)}, not write()`);
      return write as Write;
    }
    return wrapWrite(write as Write, ex);
  };
}

/** ERR-06: the server reports a broken rule as a ContractError naming it. */
function _checkContractError(err: unknown, ex: Exchange): void {
  const e = err as { code?: unknown; requirement?: unknown; message?: unknown } | null;
  const id = e?.requirement;
  if (
    e?.code !== 'TSGI_CONTRACT' ||
    typeof id !== 'string' ||
    typeof e.message !== 'string' ||
    !e.message.startsWith(`${id}: `)
  )
    ex.reporter.note(
      'ERR-06',
      'server',
      `startResponse threw ${describe(err)}, not a ContractError`,
    );
}

/** SHOULD-level header advice and the no-body status rules (SR-04, SR-05, BODY-13, BODY-14). */
function _advise(status: string, headers: ResponseHeaders, ex: Exchange): void {
  const r = ex.reporter;
  const code = statusCode(status);
  const has = (n: string): boolean => headers.some(([k]) => k.toLowerCase() === n);
  for (const [name, value] of headers) {
    if (name !== name.toLowerCase())
      r.report('SR-04', 'application', `header names should be lower case: ${name}`, {
        severity: 'warning',
      });
    if (_CONTROLS.test(value))
      r.report('SR-05', 'application', `header ${name}: control characters should not appear`, {
        severity: 'warning',
      });
  }
  if (code === 204 && (has('content-type') || has('content-length')))
    r.report(
      'BODY-20',
      'application',
      'a 204 response must not set content-type or content-length',
    );
  else if (
    code === 205 &&
    headers.some(([k, v]) => k.toLowerCase() === 'content-length' && v !== '0')
  )
    r.report('BODY-23', 'application', 'a 205 response may set only content-length: 0');
  else if (code === 304 && has('content-type'))
    r.report('BODY-13', 'application', 'a 304 response should not set content-type', {
      severity: 'warning',
    });
  else if (code !== 204 && code !== 304 && !has('content-type'))
    r.report('BODY-14', 'application', `a ${code} response without content-type`, {
      severity: 'warning',
    });
}

/** BODY-17: the application keeps a written chunk unchanged until write() settles. */
function _checkKept(g: Guard | undefined, ex: Exchange): void {
  if (g !== undefined && !g.intact())
    ex.reporter.note('BODY-17', 'application', 'a chunk was modified before its write() settled');
}

/** Wraps the server's `write`. */
function wrapWrite(write: Write, ex: Exchange): Write {
  const r = ex.reporter;
  const rec = ex.record.write;
  const signal = ex.environ['tsgi.signal'];
  return (chunk: Uint8Array): Promise<void> => {
    // WR-02: not after the response completed, nor once the server iterates the body.
    const tooLate = ex.completed || ex.iterationStarted;
    if (ex.completed) r.report('WR-02', 'application', 'write() after the response completed');
    else if (ex.iterationStarted)
      r.report('WR-02', 'application', 'write() after the server began iterating the body');
    // MW-07: a chunk the wrapped application yielded must not go through this write().
    if (chunk instanceof Uint8Array && ex.innerHanded(chunk))
      r.report('MW-07', 'application', "middleware passed the inner body's chunk to write()");
    if (!(chunk instanceof Uint8Array))
      r.report(
        'APP-04',
        'application',
        `write() chunk must be a Uint8Array, got ${describe(chunk)}`,
      );
    else ex.produce(chunk, 'write');
    // WR-01 (SHOULD): await each write; its promise is the backpressure signal.
    if (ex.pendingWrites > 0)
      r.report('WR-01', 'application', 'write() called before the previous one settled', {
        severity: 'warning',
      });
    rec.calls++;
    rec.bytes += chunk instanceof Uint8Array ? chunk.length : 0;
    const aborted = signal instanceof AbortSignal && signal.aborted;
    const g = chunk instanceof Uint8Array ? guard(chunk, false) : undefined;
    let p: unknown;
    try {
      p = write(g?.chunk ?? chunk);
    } catch (err) {
      r.note('WR-06', 'server', 'write() threw synchronously; it must return a rejected promise');
      return Promise.reject(err);
    }
    if (!isThenable(p)) {
      r.note('WR-01', 'server', `write() returned ${describe(p)}, not a promise`);
      return Promise.resolve();
    }
    ex.pendingWrites++;
    return Promise.resolve(p).then(
      () => {
        ex.pendingWrites--;
        _checkKept(g, ex);
        if (aborted) r.note('ERR-05', 'server', 'write() after a disconnect must reject');
        else if (tooLate) r.note('WR-02', 'server', 'a late write() must reject');
      },
      (err: unknown) => {
        ex.pendingWrites--;
        _checkKept(g, ex);
        rec.rejected++;
        rec.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        if (aborted && errorCode(err) !== 'TSGI_CLIENT_DISCONNECT')
          r.note('ERR-05', 'server', `write() after a disconnect rejected with ${rec.error}`);
        ex.reporter.changed();
        throw err;
      },
    );
  };
}
