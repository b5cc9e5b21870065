// The engine's echo path (pump.ts pumpInput): a body that is the server's own tsgi.input reaches
// the sink as the transport's chunks (`write(chunk, true)`), and nothing else does.
import {
  type Application,
  ClientDisconnectError,
  type Environ,
  RequestInput,
  type ResponseSink,
  runApplication,
} from '@tsgi/core';
import { describe, expect, it } from 'vitest';
import { enc, testEnviron } from './_helpers.js';

interface Seen {
  writes: Array<{ bytes: string; owned: boolean | undefined }>;
  status?: string;
  ended: boolean;
  aborted: boolean;
}

function sink(seen: Seen): ResponseSink {
  return {
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

async function run(app: Application, environ: Environ): Promise<Seen> {
  const seen: Seen = { writes: [], ended: false, aborted: false };
  await runApplication(app, environ, sink(seen));
  return seen;
}

describe('BODY-19: tsgi.input returned as the body', () => {
  it("the server's own tsgi.input: every chunk goes to the sink as the transport's own", async () => {
    const { environ } = withInput(['ab', 'cd', 'ef']);
    const seen = await run((e, start) => {
      start('200 OK', []);
      return e['tsgi.input'];
    }, environ);
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
    const seen = await run((e, start) => {
      start('200 OK', []);
      return e['tsgi.input'];
    }, environ);
    expect(seen.writes).toEqual([{ bytes: 'ab', owned: true }]);
    expect(seen.aborted).toBe(true);
  });

  it('BODY-05: a disconnect releases an echo that waits for a chunk that never comes', async () => {
    const input = new RequestInput(null);
    const controller = new AbortController();
    const environ = testEnviron({ method: 'POST', input, signal: controller.signal });
    queueMicrotask(() => {
      input.push(enc('ab'));
      setTimeout(() => controller.abort(new ClientDisconnectError()), 1);
    });
    const seen = await run((e, start) => {
      start('200 OK', []);
      return e['tsgi.input'];
    }, environ);
    expect(seen.writes).toEqual([{ bytes: 'ab', owned: true }]);
    expect(seen.aborted).toBe(true);
  });
});
