/**
 * Wrappers for `tsgi.input` (IN-01..09, ERR-05) and `tsgi.errors` (ERRS-01, ERRS-02), checking
 * the application's use and the server's answers, as wsgiref.validate's InputWrapper and
 * ErrorWrapper do (research gateway-specs §2.4).
 */
import { type ErrorStream, type InputStream, isDigits } from '@tsgi/core';
import type { Exchange } from './exchange.js';
import { errorCode, type Guard, guard } from './guard.js';
import { describe, isThenable } from './violation.js';

// Properties a caller may touch without breaking IN-09 (promise checks, JSON, inspection).
const _HARMLESS = new Set(['then', 'toJSON', 'constructor', 'inspect', 'toString', 'valueOf']);
/** Error codes a read may reject with once the client is gone (ERR-05, IN-04). */
const _GONE = ['TSGI_CLIENT_DISCONNECT', 'TSGI_INPUT_TRUNCATED'];

/** Wraps `tsgi.input`. */
export function wrapInput(input: InputStream, ex: Exchange): InputStream {
  const r = ex.reporter;
  const rec = ex.record.input;
  const signal = ex.environ['tsgi.signal'];
  const declared = isDigits(ex.environ.CONTENT_LENGTH ?? '')
    ? Number(ex.environ.CONTENT_LENGTH)
    : undefined;
  // Reads whose promise has not settled, as the application sees them (IN-12, IN-13).
  let pending = 0;
  let last: Guard | undefined;
  /** IN-14: a complete or cancelled body reads the same after a disconnect. */
  const settled = (): boolean =>
    rec.cancelled || rec.eof || (declared !== undefined && rec.bytes >= declared);

  const read = (maxBytes?: number): Promise<Uint8Array> => {
    // IN-10: maxBytes is an optional number. IN-12: one read at a time.
    if (maxBytes !== undefined && typeof maxBytes !== 'number')
      r.report('IN-10', 'application', `read(maxBytes) takes a number, got ${describe(maxBytes)}`);
    const concurrent = pending > 0;
    if (concurrent)
      r.report('IN-12', 'application', 'read() called while another read() is pending');
    // IN-11: the chunk the application got last time must not have been changed since.
    if (last !== undefined && !last.intact())
      r.note('IN-11', 'server', 'a delivered input chunk was modified or its memory reused');
    let p: unknown;
    try {
      p = input.read(maxBytes);
    } catch (err) {
      if (concurrent)
        r.note('IN-13', 'server', 'a read() made while another was pending threw synchronously');
      else r.note('IN-01', 'server', 'read() threw synchronously; it must return a promise');
      return Promise.reject(err);
    }
    if (!isThenable(p)) r.note('IN-01', 'server', `read() returned ${describe(p)}, not a promise`);
    pending++;
    const wasSettled = settled();
    return Promise.resolve(p).then(
      (chunk: unknown) => {
        // IN-13: an earlier read still pending means this one had to be refused.
        if (concurrent && pending > 1)
          r.note('IN-13', 'server', 'a read() made while another was pending did not reject');
        pending--;
        rec.reads++;
        if (!(chunk instanceof Uint8Array)) {
          r.note('IN-01', 'server', `read() resolved to ${describe(chunk)}, not a Uint8Array`);
          return chunk as Uint8Array;
        }
        if (typeof maxBytes === 'number' && maxBytes > 0 && chunk.length > maxBytes)
          r.note('IN-10', 'server', `read(${maxBytes}) resolved ${chunk.length} bytes`);
        last = guard(chunk);
        if (chunk.length === 0) {
          if (!rec.eof && declared !== undefined && rec.bytes < declared && !rec.cancelled)
            r.note(
              'IN-04',
              'server',
              `EOF after ${rec.bytes} of ${declared} declared bytes: a truncated body must reject`,
            );
          rec.eof = true;
        } else {
          if (rec.eof) r.note('IN-01', 'server', 'read() returned data after EOF');
          rec.bytes += chunk.length;
          if (
            declared !== undefined &&
            rec.bytes > declared &&
            rec.bytes - chunk.length <= declared
          )
            r.note(
              'IN-03',
              'server',
              `delivered ${rec.bytes} bytes; CONTENT_LENGTH is ${declared}`,
            );
        }
        ex.reporter.changed();
        return last.chunk;
      },
      (err: unknown) => {
        pending--;
        rec.reads++;
        rec.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
        const code = String(errorCode(err));
        const in12 =
          code === 'TSGI_CONTRACT' && (err as { requirement?: unknown }).requirement === 'IN-12';
        if (concurrent && !in12 && !_GONE.includes(code))
          r.note('IN-13', 'server', `a concurrent read() rejected with ${rec.error}, not IN-12`);
        if (!concurrent && in12)
          r.note('IN-13', 'server', 'a pending read() was disturbed by a concurrent one');
        if (wasSettled && _GONE.includes(code))
          r.note(
            'IN-14',
            'server',
            `a read() of a complete or cancelled body rejected: ${rec.error}`,
          );
        // ERR-05: after a disconnect the rejection is a ClientDisconnectError. A client that
        // leaves mid-body also ended the body early (IN-04), so InputTruncatedError is as good.
        if (signal instanceof AbortSignal && signal.aborted && !in12 && !_GONE.includes(code))
          r.note('ERR-05', 'server', `read() after a disconnect rejected with ${rec.error}`);
        ex.reporter.changed();
        throw err;
      },
    );
  };

  const wrapped: InputStream = {
    read,
    cancel(): void {
      rec.cancelled = true; // IN-06: allowed; the server discards the rest.
      input.cancel();
    },
    async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
      for (;;) {
        const chunk = await read();
        if (chunk.length === 0) return;
        yield chunk;
      }
    },
  };
  // IN-09: only the members the spec defines.
  return new Proxy(wrapped, {
    get(target, key, receiver) {
      if (typeof key === 'string' && !(key in target) && !_HARMLESS.has(key))
        r.report('IN-09', 'application', `tsgi.input.${key} is not part of the spec`);
      return Reflect.get(target, key, receiver);
    },
  });
}

/** Wraps `tsgi.errors`. */
export function wrapErrors(errors: ErrorStream, ex: Exchange): ErrorStream {
  const r = ex.reporter;
  // ERRS-02: servers must not offer a close member at all.
  if ('close' in errors) r.report('ERRS-02', 'server', 'tsgi.errors must not have a close member');
  const wrapped: ErrorStream = {
    write(text: string): void {
      if (typeof text !== 'string')
        r.report('ERRS-01', 'application', `errors.write() takes a string, got ${describe(text)}`);
      try {
        errors.write(text);
      } catch {
        r.note('ERRS-01', 'server', 'tsgi.errors.write() threw; it must accept any string');
      }
    },
    flush(): Promise<void> {
      const p: unknown = errors.flush();
      if (!isThenable(p)) r.note('ERRS-01', 'server', 'tsgi.errors.flush() must return a promise');
      return Promise.resolve(p as Promise<void>);
    },
  };
  return new Proxy(wrapped, {
    get(target, key, receiver) {
      // ERRS-02: write and flush only; never close (wsgiref asserts the same on close()).
      if (typeof key === 'string' && !(key in target) && !_HARMLESS.has(key))
        r.report('ERRS-02', 'application', `tsgi.errors.${key} is not part of the spec`);
      return Reflect.get(target, key, receiver);
    },
  });
}
