/**
 * Probe endpoints that break the application side of the contract on purpose, to see the
 * server's answer: startResponse validation (SR-02..07, SR-09, SR-13, SR-14, ERR-06), excInfo
 * (SR-10, SR-11), application errors (APP-03..06, ERR-01..03, BODY-07). The lint records these
 * as application-side violations; the suite only ever fails a server on server-side ones.
 */
import type { ResponseHeaders, StartResponse, Status } from '@tsgi/core';
import { describeError, type Endpoint, json, note } from './context.js';

const _BAD: Record<string, [status: unknown, headers: unknown]> = {
  crlf: ['200 OK', [['x-injected-by', 'probe\r\nx-injected: yes']]],
  lf: ['200 OK', [['x-injected-by', 'probe\nx-injected: yes']]],
  nul: ['200 OK', [['x-nul', 'a\0b']]],
  'non-byte': ['200 OK', [['x-text', 'snowman \u2603']]],
  'name-space': ['200 OK', [['bad name', 'x']]],
  'name-status': ['200 OK', [['Status', '200']]],
  hop: ['200 OK', [['transfer-encoding', 'chunked']]],
  connection: ['200 OK', [['Connection', 'close']]],
  'cl-text': ['200 OK', [['content-length', 'ten']]],
  'cl-conflict': [
    '200 OK',
    [
      ['content-length', '3'],
      ['content-length', '4'],
    ],
  ],
  'status-number': [200, []],
  'status-no-reason': ['200', []],
  'status-1xx': ['103 Early Hints', []],
  'status-crlf': ['200 OK\r\nx-injected: yes', []],
  'headers-object': ['200 OK', { 'content-type': 'text/plain' }],
};

/** Calls `start` with bad arguments and describes what happened. */
function _try(start: StartResponse, status: unknown, headers: unknown, exc?: unknown) {
  try {
    const call = start as (...a: unknown[]) => unknown;
    if (exc === undefined) call(status, headers);
    else call(status, headers, exc);
    return { threw: false };
  } catch (err) {
    return { threw: true, error: describeError(err), thrown: err };
  }
}

/**
 * `GET /__tsgi/start?kind=K`: kinds are the keys of `_BAD` (one invalid call, then a valid one
 * with excInfo), `twice` (a second call without excInfo), `late` (a call from the completion
 * hook, after the response completed). Notes `{ threw, error }`; answers them as JSON.
 */
export const start: Endpoint = (ctx) => {
  const kind = ctx.q.get('kind') ?? 'crlf';
  if (kind === 'twice') {
    ctx.start('200 OK', [['content-type', 'application/json']]);
    const { thrown: _, ...second } = _try(ctx.start, '201 Created', []);
    note(ctx, 'start', second);
    return [new TextEncoder().encode(`${JSON.stringify(second)}\n`)];
  }
  if (kind === 'late') {
    const bytes = new TextEncoder().encode('ok\n');
    ctx.start('200 OK', [['content-type', 'text/plain']]);
    return {
      [Symbol.iterator]: () => [bytes].values(),
      // Later than the hook: the request counts as complete once the hook returned (BODY-16).
      close: () => {
        setTimeout(() => {
          const { thrown: _, ...late } = _try(ctx.start, '500 Late', [], undefined);
          note(ctx, 'start', late);
        }, 20);
      },
    };
  }
  const bad = _BAD[kind];
  if (bad === undefined) return json(ctx, { error: `unknown kind ${kind}` }, '404 Not Found');
  const { thrown, ...result } = _try(ctx.start, bad[0], bad[1]);
  note(ctx, 'start', result);
  // SR-09/SR-10: after a throwing call a second call needs excInfo.
  const body = new TextEncoder().encode(`${JSON.stringify(result)}\n`);
  const headers: ResponseHeaders = [
    ['content-type', 'application/json'],
    ['content-length', String(body.length)],
  ];
  ctx.start('200 OK', headers, thrown ?? new Error('probe: replacing the response'));
  return [body];
};

/**
 * `GET /__tsgi/excinfo?when=before|after`. `before`: startResponse 200, then an error is caught
 * and a 500 replaces it through excInfo (SR-10). `after`: a chunk goes out first; then
 * startResponse with excInfo must throw excInfo itself, which the probe lets propagate
 * (SR-11), so the server must abort the response (ERR-03).
 */
export const excinfo: Endpoint = (ctx) => {
  const after = ctx.q.get('when') === 'after';
  ctx.start('200 OK', [['content-type', 'text/plain']]);
  return {
    async *[Symbol.asyncIterator]() {
      if (after) yield new TextEncoder().encode('partial ');
      const failure = new Error('probe: handled failure');
      const result = _try(
        ctx.start,
        '500 Probe Replaced' as Status,
        [['content-type', 'text/plain']],
        failure,
      );
      note(ctx, 'excinfo', {
        threw: result.threw,
        sameError: result.thrown === failure,
        error: result.threw ? result.error : null,
      });
      if (result.threw) throw result.thrown; // SR-11: never swallowed
      yield new TextEncoder().encode('replaced by excInfo\n');
    },
    close: () => note(ctx, 'hookCalled', 'close'),
  };
};

/**
 * `GET /__tsgi/error?where=W`: an application error at W. `call` (the app throws), `reject`
 * (its promise rejects), `first` (the body throws before any chunk), `after` (after one chunk
 * went out), `no-start` (the body ends without startResponse, APP-06), `bad-return` (a string,
 * APP-03), `bad-chunk` (a string chunk, APP-04), `hook` (the completion hook throws, BODY-07).
 */
export const error: Endpoint = (ctx) => {
  const where = ctx.q.get('where') ?? 'call';
  const fail = new Error(`probe: deliberate failure at ${where} SECRET-DETAIL`);
  const hooked = (gen: () => AsyncGenerator<Uint8Array>) => ({
    [Symbol.asyncIterator]: gen,
    close: () => {
      note(ctx, 'hookCalled', 'close');
      if (where === 'hook') throw new Error('probe: hook failure SECRET-DETAIL');
    },
  });
  if (where === 'call') throw fail;
  if (where === 'reject') return Promise.reject(fail);
  if (where === 'bad-return') {
    ctx.start('200 OK', [['content-type', 'text/plain']]);
    return 'a string is not a body' as never;
  }
  if (where === 'no-start')
    return hooked(async function* () {
      yield new Uint8Array(0);
    });
  ctx.start('200 OK', [['content-type', 'text/plain']]);
  return hooked(async function* () {
    if (where === 'after' || where === 'hook') yield new TextEncoder().encode('partial ');
    if (where === 'bad-chunk') yield 'text' as never;
    if (where !== 'hook') throw fail;
  });
};
