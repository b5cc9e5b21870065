/**
 * The stress application: one TSGI app whose path picks a behaviour (a good response, a long
 * stream, a fault at some stage, a hostile header, a crash), and the counters the tests read
 * back to prove that every body was released exactly once and every `tsgi.signal` aborted.
 *
 * Routing uses `SCRIPT_NAME + PATH_INFO`, so it works whatever path split a front end made.
 */
import type { Application, Environ, ResponseBody, StartResponse } from '@tsgi/core';

/** What the application observed; read by the tests through the server child's IPC. */
export interface AppCounters {
  /** Application invocations. */
  requests: number;
  /** Tracked bodies created (they count their own release). */
  bodies: number;
  /** Tracked bodies whose completion hook (`close()`) ran. */
  released: number;
  /** Completion hooks that ran a second time on the same body (must stay 0: BODY-06). */
  doubleReleased: number;
  /** Requests whose `tsgi.signal` the application watched. */
  watched: number;
  /** Of those, how many saw the signal abort. */
  signalAborted: number;
  /** Signals aborted with a reason that is not a `ClientDisconnectError` (ERR-05 says it is). */
  abortReasonWrong: number;
  /** Bytes the `/upload` route read from `tsgi.input`. */
  uploaded: number;
  /** Reads of `tsgi.input` that rejected, by error code. */
  inputErrors: Record<string, number>;
}

/** A fresh set of counters. */
export function newCounters(): AppCounters {
  return {
    requests: 0,
    bodies: 0,
    released: 0,
    doubleReleased: 0,
    watched: 0,
    signalAborted: 0,
    abortReasonWrong: 0,
    uploaded: 0,
    inputErrors: {},
  };
}

const _enc = new TextEncoder();
const _HELLO = _enc.encode('hello\n');
const _CHUNK = new Uint8Array(16_384).fill(0x61);
/** A bounded stream: even a client that never leaves gets the end after this many chunks. */
const _MAX_CHUNKS = 2_000;

function _sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function _query(environ: Environ, name: string): string | undefined {
  for (const part of environ.QUERY_STRING.split('&')) {
    const eq = part.indexOf('=');
    if ((eq < 0 ? part : part.slice(0, eq)) === name) return eq < 0 ? '' : part.slice(eq + 1);
  }
  return undefined;
}

/** Creates the application and the counters it updates. */
export function createStressApp(counters: AppCounters = newCounters()): {
  app: Application;
  counters: AppCounters;
} {
  const c = counters;

  /** Counts the completion hook of one body; a second call is a BODY-06 violation. */
  const track = <T extends object>(body: T): T & { close(): void } => {
    c.bodies++;
    let done = false;
    return Object.assign(body, {
      close(): void {
        if (done) {
          c.doubleReleased++;
          return;
        }
        done = true;
        c.released++;
      },
    });
  };

  /** Watches the request's signal (ENV-24, ERR-04): counts the abort and checks its reason. */
  const watch = (environ: Environ): void => {
    c.watched++;
    const signal = environ['tsgi.signal'];
    signal.addEventListener(
      'abort',
      () => {
        c.signalAborted++;
        const code = (signal.reason as { code?: unknown } | undefined)?.code;
        if (code !== 'TSGI_CLIENT_DISCONNECT') c.abortReasonWrong++;
      },
      { once: true },
    );
  };

  const pidHeader = (): [string, string] => ['x-pid', String(process.pid)];

  const ok = (startResponse: StartResponse, body: Uint8Array): ResponseBody => {
    startResponse('200 OK', [['content-type', 'text/plain'], pidHeader()]);
    return [body];
  };

  /** An endless (but bounded) stream: one 16 KiB chunk every `tick` ms until the client leaves. */
  const stream = (environ: Environ, startResponse: StartResponse): ResponseBody => {
    watch(environ);
    const tick = Number(_query(environ, 'tick') ?? '2');
    startResponse('200 OK', [['content-type', 'application/octet-stream'], pidHeader()]);
    return track({
      async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
        for (let i = 0; i < _MAX_CHUNKS; i++) {
          yield _CHUNK;
          await _sleep(tick);
        }
      },
    });
  };

  /** Sends one chunk, then a `next()` that never settles: only a disconnect ends it (BODY-05). */
  const neverEnds = (environ: Environ, startResponse: StartResponse): ResponseBody => {
    watch(environ);
    startResponse('200 OK', [['content-type', 'text/plain'], pidHeader()]);
    let sent = false;
    const iterator: AsyncIterator<Uint8Array> = {
      next: () => {
        if (!sent) {
          sent = true;
          return Promise.resolve({ done: false, value: _HELLO });
        }
        return new Promise<IteratorResult<Uint8Array>>(() => {});
      },
      return: () => Promise.resolve({ done: true, value: undefined }),
    };
    return track({ [Symbol.asyncIterator]: () => iterator });
  };

  const upload = async (environ: Environ, startResponse: StartResponse): Promise<ResponseBody> => {
    let n = 0;
    try {
      for await (const chunk of environ['tsgi.input']) n += chunk.length;
    } catch (err) {
      const code = String((err as { code?: unknown }).code ?? (err as Error).name);
      c.inputErrors[code] = (c.inputErrors[code] ?? 0) + 1;
      throw err;
    }
    c.uploaded += n;
    return ok(startResponse, _enc.encode(`${n}\n`));
  };

  const routes: Record<
    string,
    (e: Environ, s: StartResponse) => ResponseBody | Promise<ResponseBody>
  > = {
    '/hello': (_e, s) => ok(s, _HELLO),
    '/pid': (_e, s) => ok(s, _enc.encode(`${process.pid}\n`)),
    '/stream': stream,
    '/upload': upload,
    '/slow-stream': (e, s) => {
      // The head and a first line at once, the end after `ms`: a client can tell the request
      // is in flight (it has bytes) while the server must still finish it (SRV-09).
      const ms = Number(_query(e, 'ms') ?? '500');
      s('200 OK', [['content-type', 'text/plain'], pidHeader()]);
      return track({
        async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
          yield _enc.encode('start\n');
          await _sleep(ms);
          yield _enc.encode('end\n');
        },
      });
    },
    '/slow': async (e, s) => {
      // Completes even during shutdown: graceful shutdown must wait for it (SRV-09).
      await _sleep(Number(_query(e, 'ms') ?? '500'));
      return ok(s, _enc.encode(`${process.pid}\n`));
    },
    // --- faults at every stage (ERR-01..03, ERR-07, BODY-07) -----------------------------
    '/fault/throw-before': () => {
      throw new Error('stress: thrown before startResponse');
    },
    '/fault/throw-after-start': (_e, s) => {
      s('200 OK', [['content-type', 'text/plain']]);
      throw new Error('stress: thrown after startResponse');
    },
    '/fault/reject': async () => {
      await _sleep(1);
      throw new Error('stress: rejected promise');
    },
    '/fault/reject-after-start': async (_e, s) => {
      s('200 OK', [['content-type', 'text/plain']]);
      await _sleep(1);
      throw new Error('stress: rejected after startResponse');
    },
    '/fault/iter-throw-first': (_e, s) => {
      s('200 OK', [['content-type', 'text/plain']]);
      const iterator: Iterator<Uint8Array> = {
        next: () => {
          throw new Error('stress: iterator threw before the first chunk');
        },
      };
      return track({ [Symbol.iterator]: () => iterator });
    },
    '/fault/iter-throw-mid': (_e, s) => {
      s('200 OK', [['content-type', 'text/plain']]);
      return track({
        async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
          yield _HELLO;
          await _sleep(1);
          throw new Error('stress: iterator threw after the headers');
        },
      });
    },
    '/fault/length-underrun': (_e, s) => {
      s('200 OK', [
        ['content-type', 'text/plain'],
        ['content-length', '100'],
      ]);
      return track({
        async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
          yield _HELLO;
        },
      });
    },
    '/fault/close-throws': (_e, s) => {
      s('200 OK', [['content-type', 'text/plain'], pidHeader()]);
      const body = track([_HELLO]);
      const release = body.close;
      return Object.assign(body, {
        close(): void {
          release();
          throw new Error('stress: close() threw');
        },
      });
    },
    '/fault/close-rejects': (_e, s) => {
      s('200 OK', [['content-type', 'text/plain'], pidHeader()]);
      const body = track([_HELLO]);
      const release = body.close;
      return Object.assign(body, {
        close(): Promise<void> {
          release();
          return Promise.reject(new Error('stress: close() rejected'));
        },
      });
    },
    '/fault/never-ends': neverEnds,
    '/fault/bad-chunk': (_e, s) => {
      s('200 OK', [['content-type', 'text/plain']]);
      return ['not bytes'] as unknown as ResponseBody;
    },
    '/fault/bad-status': (_e, s) => {
      (s as unknown as (st: number, h: unknown) => void)(200, []);
      return [_HELLO];
    },
    '/fault/not-iterable': () => 42 as unknown as ResponseBody,
    // --- header injection from the application (SR-04, SR-05) ---------------------------
    '/inject/value-crlf': (_e, s) => {
      s('200 OK', [['x-a', 'v\r\nInjected: yes']]);
      return [_HELLO];
    },
    '/inject/value-lf': (_e, s) => {
      s('200 OK', [['x-a', 'v\nInjected: yes']]);
      return [_HELLO];
    },
    '/inject/value-cr': (_e, s) => {
      s('200 OK', [['x-a', 'v\rInjected: yes']]);
      return [_HELLO];
    },
    '/inject/value-nul': (_e, s) => {
      s('200 OK', [['x-a', 'v\0Injected: yes']]);
      return [_HELLO];
    },
    '/inject/name-crlf': (_e, s) => {
      s('200 OK', [['x-a\r\nInjected', 'yes']]);
      return [_HELLO];
    },
    '/inject/status-crlf': (_e, s) => {
      s('200 OK\r\nInjected: yes' as '200 OK', []);
      return [_HELLO];
    },
    '/inject/value-utf16': (_e, s) => {
      // U+010D ("č") has the low byte 0x0D: a server truncating code units to bytes would
      // send a bare CR. SR-05 refuses non-byte characters for that reason.
      s('200 OK', [['x-a', 'v\u010d\u010aInjected: yes']]);
      return [_HELLO];
    },
    // --- crashes (worker replacement) ----------------------------------------------------
    '/crash/exit': () => {
      process.exit(3);
    },
    '/crash/kill': () => {
      process.kill(process.pid, 'SIGKILL');
      return [];
    },
  };

  const app: Application = (environ, startResponse) => {
    c.requests++;
    const path = `${environ.SCRIPT_NAME}${environ.PATH_INFO}`;
    const route = routes[path];
    if (route === undefined) {
      const body = _enc.encode(`no route ${path}\n`);
      startResponse('404 Not Found', [['content-type', 'text/plain']]);
      return [body];
    }
    return route(environ, startResponse);
  };
  return { app, counters: c };
}
