// The engine's echo paths (pump.ts pumpInput, and passInput for a sink with `passThrough`): a body
// that is the server's own tsgi.input reaches the sink as the transport's chunks
// (`write(chunk, true)`), and nothing else does.
import {
  type Application,
  ClientDisconnectError,
  type Environ,
  RequestInput,
  type ResponseSink,
  runApplication,
} from '@tsgi/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { enc, testEnviron } from './_helpers.js';

interface Seen {
  writes: Array<{ bytes: string; owned: boolean | undefined }>;
  status?: string;
  ended: boolean;
  aborted: boolean;
}

function sink(seen: Seen, passThrough = false): ResponseSink {
  return {
    passThrough,
    head(status) {
      seen.status = status;
    },
    write(chunk, owned) {
      seen.writes.push({ bytes: new TextDecoder().decode(chunk), owned });
    },
    end() {
      seen.ended = true;
    },
    abort() {
      seen.aborted = true;
    },
  };
}

/** An environ whose tsgi.input is a RequestInput fed `parts`, then ended. */
function withInput(parts: string[]): { environ: Environ; input: RequestInput } {
  const input = new RequestInput(null);
  const environ = testEnviron({ method: 'POST', input });
  queueMicrotask(() => {
    for (const p of parts) input.push(enc(p));
    input.end();
  });
  return { environ, input };
}

let passThrough = false;

/** Returns the server's own tsgi.input as the body. */
const echoApp: Application = (e, start) => {
  start('200 OK', []);
  return e['tsgi.input'];
};

/** A sink with passThrough whose write is `write` and that reports its abort. */
function inlineSink(
  write: ResponseSink['write'],
  seen: { ended?: boolean; aborted?: boolean },
): ResponseSink {
  return {
    passThrough: true,
    head() {},
    write,
    end() {
      seen.ended = true;
    },
    abort() {
      seen.aborted = true;
    },
  };
}

async function run(app: Application, environ: Environ): Promise<Seen> {
  const seen: Seen = { writes: [], ended: false, aborted: false };
  await runApplication(app, environ, sink(seen, passThrough));
  return seen;
}

describe.each([
  ['pumpInput', false],
  ['passInput (passThrough)', true],
])('BODY-19: tsgi.input returned as the body, %s', (_name, inline) => {
  beforeEach(() => {
    passThrough = inline;
  });

  it("the server's own tsgi.input: every chunk goes to the sink as the transport's own", async () => {
    const { environ } = withInput(['ab', 'cd', 'ef']);
    const seen = await run(echoApp, environ);
    expect(seen.writes).toEqual([
      { bytes: 'ab', owned: true },
      { bytes: 'cd', owned: true },
      { bytes: 'ef', owned: true },
    ]);
    expect(seen.ended).toBe(true);
  });

  it('an application generator over tsgi.input: its chunks are lent, not owned', async () => {
    const { environ } = withInput(['ab', 'cd']);
    const seen = await run(async function* (e, start) {
      start('200 OK', []);
      for await (const c of e['tsgi.input']) yield c;
    }, environ);
    expect(seen.writes.map((w) => w.owned)).toEqual([false, false]);
  });

  it('a tsgi.input the application put in environ itself is not the server’s: lent', async () => {
    const { environ } = withInput(['ab']);
    const seen = await run((e, start) => {
      const mine = new RequestInput(null);
      mine.push(enc('xy'));
      mine.end();
      e['tsgi.input'] = mine;
      start('200 OK', []);
      return e['tsgi.input'];
    }, environ);
    expect(seen.writes).toEqual([{ bytes: 'xy', owned: false }]);
  });

  it('content-length stops the echo there (BODY-08) and the response ends', async () => {
    const { environ } = withInput(['abc', 'def']);
    const seen = await run((e, start) => {
      start('200 OK', [['content-length', '4']]);
      return e['tsgi.input'];
    }, environ);
    expect(seen.writes.map((w) => w.bytes).join('')).toBe('abcd');
    expect(seen.ended).toBe(true);
  });

  it('IN-04, ERR-03: a body that fails mid-way aborts the response after what was sent', async () => {
    const input = new RequestInput(null);
    const environ = testEnviron({ method: 'POST', input });
    queueMicrotask(() => {
      input.push(enc('ab'));
      setTimeout(() => input.fail(new Error('upstream gone')), 1);
    });
    const seen = await run(echoApp, environ);
    expect(seen.writes).toEqual([{ bytes: 'ab', owned: true }]);
    expect(seen.aborted).toBe(true);
  });

  it('BODY-05: a disconnect releases an echo that waits for a chunk that never comes', async () => {
    if (inline) return; // a passThrough transport fails the input instead: see below
    const input = new RequestInput(null);
    const controller = new AbortController();
    const environ = testEnviron({ method: 'POST', input, signal: controller.signal });
    queueMicrotask(() => {
      input.push(enc('ab'));
      setTimeout(() => controller.abort(new ClientDisconnectError()), 1);
    });
    const seen = await run(echoApp, environ);
    expect(seen.writes).toEqual([{ bytes: 'ab', owned: true }]);
    expect(seen.aborted).toBe(true);
  });
});

describe('passInput: the echo inline, for a sink with passThrough', () => {
  beforeEach(() => {
    passThrough = true;
  });

  it('each chunk reaches the sink within the push that brings it, not a promise later', async () => {
    const input = new RequestInput(null);
    const environ = testEnviron({ method: 'POST', input });
    const seen: Seen = { writes: [], ended: false, aborted: false };
    const done = runApplication(echoApp, environ, sink(seen, true));
    await Promise.resolve();
    input.push(enc('ab'));
    expect(seen.writes).toEqual([{ bytes: 'ab', owned: true }]);
    input.push(enc('cd'));
    expect(seen.writes.map((w) => w.bytes)).toEqual(['ab', 'cd']);
    input.end();
    await done;
    expect(seen.ended).toBe(true);
  });

  it('BODY-02: a write that waits holds the echo; what arrived meanwhile follows, in order', async () => {
    const input = new RequestInput(null);
    const environ = testEnviron({ method: 'POST', input });
    const writes: string[] = [];
    let release: () => void = () => {};
    const seen: { ended?: boolean } = {};
    const write = (chunk: Uint8Array): void | Promise<void> => {
      writes.push(new TextDecoder().decode(chunk));
      if (writes.length === 1) return new Promise<void>((r) => (release = r));
    };
    const done = runApplication(echoApp, environ, inlineSink(write, seen));
    await Promise.resolve();
    input.push(enc('a'));
    input.push(enc('b'));
    input.push(enc('c'));
    input.end();
    expect(writes).toEqual(['a']);
    release();
    await done;
    expect(writes).toEqual(['a', 'b', 'c']);
    expect(seen.ended).toBe(true);
  });

  it('IN-07: the first read (100 Continue) happens when the echo starts, never for a bodiless response', async () => {
    for (const [method, status, reads] of [
      ['POST', '200 OK', 1],
      ['HEAD', '200 OK', 0],
      ['POST', '204 No Content', 0],
    ] as const) {
      let firstReads = 0;
      const input = new RequestInput({ firstRead: () => firstReads++ });
      const environ = testEnviron({ method, input });
      queueMicrotask(() => input.end());
      const seen = await run((e, start) => {
        start(status, []);
        return e['tsgi.input'];
      }, environ);
      expect(firstReads).toBe(reads);
      expect(seen.ended).toBe(true);
    }
  });

  it('IN-08: a body over the limit before any byte was sent gives 413', async () => {
    const input = new RequestInput(null, { limit: 4 });
    const environ = testEnviron({ method: 'POST', input });
    queueMicrotask(() => input.push(enc('too large')));
    const seen = await run(echoApp, environ);
    expect(seen.status).toMatch(/^413 /);
    expect(seen.writes.every((w) => w.owned !== true)).toBe(true);
    expect(seen.ended).toBe(true);
  });

  it('ERR-05, BODY-05: a disconnect fails the input (IN-15) and releases an idle echo', async () => {
    const input = new RequestInput(null);
    const environ = testEnviron({ method: 'POST', input });
    queueMicrotask(() => {
      input.push(enc('ab'));
      setTimeout(() => input.fail(new ClientDisconnectError()), 1);
    });
    const seen = await run(echoApp, environ);
    expect(seen.writes).toEqual([{ bytes: 'ab', owned: true }]);
    expect(seen.aborted).toBe(true);
  });

  it('a sink whose write throws ends the run with the error, not the transport', async () => {
    const input = new RequestInput(null);
    const environ = testEnviron({ method: 'POST', input });
    const seen: { aborted?: boolean } = {};
    const broken = (): never => {
      throw new Error('sink broke');
    };
    const done = runApplication(echoApp, environ, inlineSink(broken, seen));
    await Promise.resolve();
    expect(() => input.push(enc('ab'))).not.toThrow();
    await done;
    expect(seen.aborted).toBe(true);
  });
});
