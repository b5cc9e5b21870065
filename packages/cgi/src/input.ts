/**
 * The request body from standard input (RFC 3875 §4.2; ADP-CGI-02, IN-01..06).
 */
import {
  type ErrorStream,
  type RequestFraming,
  type RequestInput,
  requestFraming,
  requestInput,
} from '@tsgi/core';

/**
 * The body's framing, decided by core (ADP-CGI-02, SRV-05): CONTENT_LENGTH when it is decimal
 * digits (IN-03: never read past it; above `limit`, refused with 413), otherwise standard input
 * read to its end. Apache mod_cgi(d) streams a chunked upload de-chunked with no CONTENT_LENGTH;
 * the servers tested (Apache, lighttpd, busybox httpd) close standard input when there is no
 * body, and the input is opened only when the application reads.
 */
export function bodyFraming(
  vars: Readonly<Record<string, string>>,
  limit: number | undefined,
): RequestFraming {
  return requestFraming({ contentLength: vars.CONTENT_LENGTH, streamed: true, limit });
}

/** A `tsgi.input` over standard input plus the handle to stop reading it. */
export interface StdinBody {
  input: RequestInput;
  /** Stops reading standard input (IN-06, or once the response is complete). */
  close(): void;
  /**
   * Reads and discards what is left of a CONTENT_LENGTH body (at most `limit` bytes, for at
   * most `timeoutMs`), then closes. Apache mod_cgid resets the client connection and never
   * finishes the response when a script exits with its body unread (AH00574), so a response
   * to a POST the application ignored would hang without this.
   */
  drain(limit?: number, timeoutMs?: number): Promise<void>;
}

const _DRAIN_LIMIT = 16 * 1024 * 1024;

/**
 * A `tsgi.input` fed from a readable stream (standard input), opened lazily on the
 * application's first read so a request that never reads its body never touches stdin.
 * Reading pauses when 64 KiB are buffered and resumes as the application reads (backpressure).
 */
export function stdinBody(
  open: () => NodeJS.ReadableStream,
  framing: RequestFraming,
  errors?: ErrorStream,
): StdinBody {
  const length =
    framing.kind === 'none' ? 0 : framing.kind === 'stream' ? undefined : framing.length;
  let stream: NodeJS.ReadableStream | null = null;
  const close = (): void => {
    const s = stream;
    if (s === null) return;
    s.pause();
    s.removeAllListeners('data');
    const destroy = (s as { destroy?: () => void }).destroy;
    if (typeof destroy === 'function') destroy.call(s);
  };
  const openStream = (): NodeJS.ReadableStream => {
    if (stream !== null) return stream;
    const s = open();
    stream = s;
    s.on('data', (chunk: Uint8Array | string) => {
      input.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
    });
    s.once('end', () => input.end());
    s.once('error', (err: unknown) => input.fail(err));
    // Closed without 'end' (destroyed, or the pipe broke): truncated when short (IN-04).
    s.once('close', () => input.end());
    return s;
  };
  const input: RequestInput = requestInput(
    framing,
    {
      firstRead() {
        openStream();
      },
      pause: () => stream?.pause(),
      resume: () => stream?.resume(),
      // IN-06: stop delivering, but leave stdin open so `drain` can consume the rest.
      cancel: () => stream?.pause(),
    },
    { errors },
  );
  const drain = (limit = _DRAIN_LIMIT, timeoutMs = 5000): Promise<void> => {
    const left = length === undefined ? 0 : length - input.received;
    if (left <= 0 || left > limit) {
      close();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      let seen = 0;
      const finish = (): void => {
        clearTimeout(timer);
        close();
        resolve();
      };
      const timer = setTimeout(finish, timeoutMs);
      input.cancel(); // drop what the app left unread, so nothing pauses the stream again
      const s = openStream();
      s.on('data', (chunk: Uint8Array | string) => {
        seen += chunk.length;
        if (seen >= left) finish();
      });
      s.once('end', finish);
      s.once('close', finish);
      s.resume();
    });
  };
  return { input, close, drain };
}
