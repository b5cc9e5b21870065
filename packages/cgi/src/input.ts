/**
 * The request body from standard input (RFC 3875 §4.2; ADP-CGI-02, IN-01..06).
 */
import { RequestInput } from '@tsgi/core';

const _DIGITS = /^[0-9]+$/;

/**
 * How many body bytes to expect (ADP-CGI-02): CONTENT_LENGTH when it is decimal digits (IN-03:
 * never read past it), otherwise `undefined`, meaning standard input is read to its end. Apache
 * mod_cgi(d) streams a chunked upload de-chunked with no CONTENT_LENGTH; the servers tested
 * (Apache, lighttpd, busybox httpd) close standard input when there is no body, and the input
 * is opened only when the application reads.
 */
export function bodyLength(vars: Readonly<Record<string, string>>): number | undefined {
  const cl = vars.CONTENT_LENGTH;
  return cl !== undefined && _DIGITS.test(cl) ? Number(cl) : undefined;
}

/** A `tsgi.input` over standard input plus the handle to stop reading it. */
export interface StdinBody {
  input: RequestInput;
  /** Stops reading standard input (IN-06, or once the response is complete). */
  close(): void;
}

/**
 * A `tsgi.input` fed from a readable stream (standard input), opened lazily on the
 * application's first read so a request that never reads its body never touches stdin.
 * Reading pauses when 64 KiB are buffered and resumes as the application reads (backpressure).
 */
export function stdinBody(
  open: () => NodeJS.ReadableStream,
  length: number | undefined,
  limit: number | undefined,
): StdinBody {
  let stream: NodeJS.ReadableStream | null = null;
  const close = (): void => {
    const s = stream;
    if (s === null) return;
    s.pause();
    s.removeAllListeners('data');
    const destroy = (s as { destroy?: () => void }).destroy;
    if (typeof destroy === 'function') destroy.call(s);
  };
  const input: RequestInput = new RequestInput(
    {
      firstRead() {
        if (stream !== null) return;
        const s = open();
        stream = s;
        s.on('data', (chunk: Uint8Array | string) => {
          input.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
        });
        s.once('end', () => input.end());
        s.once('error', (err: unknown) => input.fail(err));
        // Closed without 'end' (destroyed, or the pipe broke): truncated when short (IN-04).
        s.once('close', () => input.end());
      },
      pause: () => stream?.pause(),
      resume: () => stream?.resume(),
      cancel: close,
    },
    { length, limit },
  );
  return { input, close };
}
