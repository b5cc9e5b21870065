/**
 * BODY-24, SRV-09: requests in flight until their `runApplication` promise settles (after the
 * body's completion hook), and the shutdown's log of those still pending at its timeout.
 */
import { createServer } from 'node:net';
import {
  createEnviron,
  createErrorStream,
  RequestInput,
  type ResponseSink,
  runApplication,
} from '@tsgi/core';
import { GracefulShutdown, PendingRuns, resolveId } from '@tsgi/server-node';
import { describe, expect, it } from 'vitest';

const sink: ResponseSink = { head() {}, write() {}, end() {}, abort() {} };

/** runApplication for an app whose Array body has `hook` as its completion hook. */
function runWithHook(hook?: () => Promise<void>): Promise<void> {
  const environ = createEnviron(
    {
      method: 'GET',
      scriptName: '',
      pathInfo: '/',
      queryString: '',
      requestUri: '/',
      serverName: 'x',
      serverPort: '80',
      protocol: 'HTTP/1.1',
    },
    {
      input: new RequestInput(null, { length: 0 }),
      errors: createErrorStream(() => {}),
      signal: new AbortController().signal,
      urlScheme: 'http',
      multithread: false,
      multiprocess: false,
      runOnce: false,
    },
  );
  const body = [new Uint8Array([0x61])];
  if (hook !== undefined) Object.assign(body, { [Symbol.asyncDispose]: hook });
  return runApplication(
    (_e, startResponse) => {
      startResponse('200 OK', []);
      return body;
    },
    environ,
    sink,
  );
}

describe('PendingRuns', () => {
  it('tracks a request until its run settles; a synchronous one not at all', async () => {
    const runs = new PendingRuns<{ name: string }>((r) => r.name);
    let settled = 0;
    runs.onSettled(() => settled++);
    runs.track({ name: 'sync' }, runWithHook());
    expect(runs.size).toBe(0);
    let release!: () => void;
    runs.track(
      { name: 'hooked' },
      runWithHook(() => new Promise<void>((r) => (release = r))),
    );
    expect([runs.size, runs.describe()]).toEqual([1, ['hooked']]);
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect([runs.size, settled]).toEqual([0, 1]);
  });
  it('counts and names requests settling in any order, reusing their slots', async () => {
    const runs = new PendingRuns<{ name: string }>((r) => r.name);
    const release = new Map<string, () => void>();
    const track = (name: string): void =>
      runs.track({ name }, new Promise<void>((r) => release.set(name, r)));
    for (const name of ['a', 'b', 'c']) track(name);
    release.get('b')!();
    await new Promise((r) => setTimeout(r, 0));
    expect([runs.size, runs.describe()]).toEqual([2, ['a', 'c']]);
    // b's slot is taken again; a and c settle; d and e take the free slots.
    track('x');
    release.get('a')!();
    release.get('c')!();
    await new Promise((r) => setTimeout(r, 0));
    track('d');
    track('e');
    expect(runs.size).toBe(3);
    expect(runs.describe().sort()).toEqual(['d', 'e', 'x']);
    for (const name of ['x', 'd', 'e']) release.get(name)!();
    await new Promise((r) => setTimeout(r, 0));
    expect([runs.size, runs.describe()]).toEqual([0, []]);
  });
});

describe('GracefulShutdown with runs (BODY-24)', () => {
  it('waits for a pending completion hook, then logs one that never settles at the timeout', async () => {
    const runs = new PendingRuns<{ name: string }>((r) => `${r.name} hook`);
    let log = '';
    const shutdown = new GracefulShutdown({
      server: createServer(),
      pending: () => 0,
      drain() {},
      abort() {},
      runs,
      log: (text) => {
        log += text;
      },
    });
    runs.track(
      { name: 'stuck' },
      runWithHook(() => new Promise<void>(() => {})),
    );
    const started = Date.now();
    await shutdown.close(30);
    // Nothing was left to abort: no grace second on top of the timeout.
    expect(Date.now() - started).toBeLessThan(900);
    expect(log).toBe('BODY-24: shutdown timed out after 30 ms with stuck hook\n');
  });
});

describe('resolveId', () => {
  it('takes decimal text as an id, without looking a name up', () => {
    expect(resolveId('user', '1234')).toBe(1234);
    expect(() => resolveId('user', '12a')).toThrow(/unknown user "12a"/);
  });
});
