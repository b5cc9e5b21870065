/**
 * The response on standard output (RFC 3875 §6, §5 NPH; ADP-CGI-02): the `ResponseSink` the
 * core engine drives. Everything is written as bytes: header strings are byte strings (SR-05),
 * so they are encoded latin-1, one octet per code unit.
 */

import {
  type BodyFraming,
  formatCgiHead,
  formatNphHead,
  type NphHead,
  type ResponseHeaders,
  type ResponseSink,
  type Status,
} from '@tsgi/core';
import { type CgiOutput, DirectStdout } from './stdout.js';

/** How the sink ended. */
export type Outcome = 'pending' | 'complete' | 'aborted';

/** A sink over a writable stream, and what happened to it. */
export interface CgiSink extends ResponseSink {
  readonly outcome: Outcome;
  /** Resolves once everything written has been handed to the file descriptor. */
  flushed(): Promise<void>;
}

/** Options for `createCgiSink`. */
export interface CgiSinkOptions {
  /** Write a full HTTP status line (RFC 3875 §5, non-parsed headers) instead of `Status:`. */
  nph: boolean;
  /** SERVER_PROTOCOL, for the NPH status line. */
  protocol: string;
  /** Called when the stream fails (EPIPE: the web server stopped reading, ERR-04). */
  onError(err: unknown): void;
}

const _CRLF = Buffer.from('\r\n', 'latin1');
const _LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');

/** A formatted head, and whether the body must be sent chunked (NPH over HTTP/1.1 only). */
export type Head = NphHead;

/**
 * The head for this sink: core's CGI head (`Status:` first, ADP-CGI-02), or in NPH mode core's
 * HTTP head (ADP-CGI-08), with which this process frames the response itself.
 */
export function formatHead(
  status: Status,
  headers: ResponseHeaders,
  framing: BodyFraming,
  options: Pick<CgiSinkOptions, 'nph' | 'protocol'>,
): Head {
  return options.nph
    ? formatNphHead(status, headers, framing, options.protocol)
    : { text: formatCgiHead(status, headers), chunked: false };
}

/**
 * A `ResponseSink` writing CGI (or NPH) output to `out`. Each chunk's promise settles once the
 * write has completed at the operating system, so the engine asks for the next chunk only then
 * (BODY-02, ADP-CGI-02); a slow web server therefore slows the application down. Given a
 * `DirectStdout`, what it writes synchronously returns no promise at all, and `process.stdout`
 * is built only for what it cannot.
 */
export function createCgiSink(out: CgiOutput | DirectStdout, options: CgiSinkOptions): CgiSink {
  let outcome: Outcome = 'pending';
  let chunked = false;
  let failed = false;
  let pending = 0;
  let idle: (() => void) | null = null;
  let direct = out instanceof DirectStdout ? out : null;
  let stream: CgiOutput | null = null;
  const onError = (err: unknown): void => {
    if (failed || outcome !== 'pending') return;
    failed = true;
    options.onError(err);
  };
  const open = (s: CgiOutput): CgiOutput => {
    s.on('error', onError);
    // The web server closed our standard output: it gave up on the response (ERR-04).
    s.on('close', () => onError(new Error('standard output closed')));
    stream = s;
    return s;
  };
  if (direct === null) open(out as CgiOutput);
  const written = (err?: Error | null): void => {
    if (err) onError(err);
    pending--;
    if (pending === 0 && idle !== null) {
      const f = idle;
      idle = null;
      f();
    }
  };
  /** Undefined once `bytes` are written (or can no longer be); else a promise of that. */
  const send = (bytes: Uint8Array): Promise<void> | undefined => {
    if (failed) return;
    if (direct !== null) {
      let n: number;
      try {
        n = direct.writeNow(bytes);
      } catch (err) {
        onError(err); // EPIPE: the web server stopped reading (ERR-04)
        return;
      }
      if (n === bytes.length) return;
      bytes = bytes.subarray(n);
    }
    const s = stream ?? open((direct as DirectStdout).stream());
    direct = null;
    pending++;
    return new Promise<void>((resolve) => {
      s.write(bytes, (err) => {
        written(err);
        resolve();
      });
    });
  };
  return {
    get outcome() {
      return outcome;
    },
    head(status, headers, framing) {
      const head = formatHead(status, headers, framing, options);
      chunked = head.chunked;
      send(Buffer.from(head.text, 'latin1'));
    },
    write(chunk) {
      if (failed) return;
      if (!chunked) return send(chunk);
      // One writev for the size line, the data and the CRLF; the last settles after the others.
      const s = stream;
      s?.cork?.();
      send(Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1'));
      send(chunk);
      const done = send(_CRLF);
      s?.uncork?.();
      return done;
    },
    end() {
      if (chunked) send(_LAST_CHUNK);
      outcome = 'complete';
    },
    abort() {
      // ERR-03: nothing more is written; the caller exits non-zero.
      outcome = 'aborted';
      failed = true;
    },
    flushed() {
      if (pending === 0) return Promise.resolve();
      return new Promise((resolve) => {
        idle = resolve;
      });
    },
  };
}
