import {
  type Application,
  type BodyFraming,
  type Environ,
  type ResponseHeaders,
  type ResponseSink,
  runApplication,
} from '@tsgi/core';
// The test kit by path: @tsgi/harness depends on @tsgi/core, so core cannot list it back.
import { testEnviron } from '../../harness/src/kit.js';

export { testEnviron };

/** Everything a sink saw, in order, so tests can assert on the exact sequence of events. */
export interface Recording {
  events: string[];
  status?: string;
  headers?: ResponseHeaders;
  framing?: BodyFraming;
  chunks: Uint8Array[];
  ended: boolean;
  aborted: unknown;
  errors: string;
  text(): string;
}

export function recordingSink(rec: Recording, opts: { slow?: boolean } = {}): ResponseSink {
  return {
    head(status, headers, framing) {
      rec.events.push(`head ${status}`);
      rec.status = status;
      rec.headers = headers;
      rec.framing = framing;
    },
    write(chunk) {
      rec.events.push(`write ${chunk.length}`);
      rec.chunks.push(chunk.slice());
      if (opts.slow) return new Promise((r) => setTimeout(r, 1));
    },
    end() {
      rec.events.push('end');
      rec.ended = true;
    },
    abort(reason) {
      rec.events.push('abort');
      rec.aborted = reason ?? true;
    },
  };
}

/** The kit's default environ (`GET /`, empty body) with a recording of what the sink sees. */
export function makeEnviron(
  method = 'GET',
  controller = new AbortController(),
): { environ: Environ; rec: Recording; controller: AbortController } {
  const rec: Recording = {
    events: [],
    chunks: [],
    ended: false,
    aborted: undefined,
    errors: '',
    text() {
      return Buffer.concat(this.chunks).toString('latin1');
    },
  };
  const errors = (t: string): void => {
    rec.errors += t;
  };
  const environ = testEnviron({ method, signal: controller.signal, errors });
  return { environ, rec, controller };
}

/** Runs an app against a recording sink. */
export async function run(
  app: Application,
  options: { method?: string; slow?: boolean; controller?: AbortController; expose?: boolean } = {},
): Promise<Recording> {
  const { environ, rec } = makeEnviron(options.method, options.controller);
  await runApplication(app, environ, recordingSink(rec, options), {
    exposeErrors: options.expose ?? false,
  });
  return rec;
}

/** Text as UTF-8 bytes: core's `utf8`. */
export { utf8 as enc } from '@tsgi/core';

/** A body that records how it was released. */
export function trackedBody(
  chunks: Uint8Array[],
  kind: 'close' | 'dispose' | 'asyncDispose' = 'close',
) {
  const log = { returns: 0, closes: 0, nexts: 0 };
  const body = {
    [Symbol.iterator]() {
      let i = 0;
      return {
        next() {
          log.nexts++;
          return i < chunks.length
            ? { done: false as const, value: chunks[i++]! }
            : { done: true as const, value: undefined };
        },
        return() {
          log.returns++;
          return { done: true as const, value: undefined };
        },
      };
    },
    ...(kind === 'close' && { close: () => void log.closes++ }),
    ...(kind === 'dispose' && { [Symbol.dispose]: () => void log.closes++ }),
    ...(kind === 'asyncDispose' && { [Symbol.asyncDispose]: async () => void log.closes++ }),
  };
  return { body: body as Iterable<Uint8Array>, log };
}

/** A sync body logging every call the engine makes on it into `events`. */
export function eventBody(events: string[], chunks: Uint8Array[], hook: () => unknown = () => {}) {
  return {
    [Symbol.iterator]() {
      events.push('iterator');
      let i = 0;
      return {
        next(): IteratorResult<Uint8Array> {
          events.push('next');
          return i < chunks.length
            ? { done: false, value: chunks[i++]! }
            : { done: true, value: undefined };
        },
        return(): IteratorResult<Uint8Array> {
          events.push('return');
          return { done: true, value: undefined };
        },
      };
    },
    close() {
      events.push('close');
      return hook();
    },
  };
}

/** An async body logging the same way. */
export function asyncEventBody(events: string[], chunks: Uint8Array[]) {
  return {
    [Symbol.asyncIterator]() {
      events.push('iterator');
      let i = 0;
      return {
        async next(): Promise<IteratorResult<Uint8Array>> {
          events.push('next');
          return i < chunks.length
            ? { done: false, value: chunks[i++]! }
            : { done: true, value: undefined };
        },
        async return(): Promise<IteratorResult<Uint8Array>> {
          events.push('return');
          return { done: true, value: undefined };
        },
      };
    },
    close() {
      events.push('close');
    },
  };
}

/** Runs `app` against a recording sink whose events the body shares. */
export function start(app: Application, opts: { method?: string; end?: () => Promise<void> } = {}) {
  const { environ, rec } = makeEnviron(opts.method);
  const sink = recordingSink(rec);
  if (opts.end !== undefined) {
    const end = opts.end;
    sink.end = () => {
      rec.events.push('end');
      rec.ended = true;
      return end();
    };
  }
  let settled = false;
  const done = runApplication(app, environ, sink).then(() => {
    settled = true;
  });
  return { rec, done, settled: () => settled };
}
