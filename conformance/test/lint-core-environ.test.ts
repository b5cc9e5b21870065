/**
 * Every environ @tsgi/core builds passes the lint's environ checks (ENV-01..28): the lint is the
 * one checker of environ's shape, so core's builders are held to it here rather than to a second
 * statement of the rules in core's own tests.
 */
import {
  type Application,
  createErrorStream,
  type Environ,
  environFromCgi,
  RequestAbort,
  RequestInput,
} from '@tsgi/core';
import { describe, expect, it } from 'vitest';
import { drive, fakeEnviron, linted } from './_lint-helpers.js';

const ok: Application = (_e, start) => {
  start('200 OK', [['content-type', 'text/plain']]);
  return [];
};

const keys = (signal: AbortSignal | RequestAbort) => ({
  input: new RequestInput(null, { length: 0 }),
  errors: createErrorStream(() => {}),
  signal,
  multithread: false,
  multiprocess: true,
  runOnce: false,
});

const serverSide = (env: Environ): string[] =>
  drive(ok, env)
    .violations.filter((v) => v.side === 'server')
    .map((v) => v.message);

describe("core's environ builders pass the lint", () => {
  it('createEnviron, with tsgi.signal given or created lazily (ENV-24)', () => {
    expect(serverSide(fakeEnviron())).toEqual([]);
    expect(serverSide(fakeEnviron({}, new RequestAbort()))).toEqual([]);
  });

  it('environFromCgi, front-end quirks included (ENV-02, ENV-09, ENV-27)', () => {
    const env = environFromCgi(
      {
        REQUEST_METHOD: 'POST',
        SCRIPT_NAME: '/app',
        PATH_INFO: '/x',
        QUERY_STRING: 'a=1',
        REQUEST_URI: '/app/x?a=1',
        SERVER_NAME: 'example.com',
        SERVER_PORT: '8080',
        SERVER_PROTOCOL: 'HTTP/1.1',
        CONTENT_LENGTH: '',
        CONTENT_TYPE: '',
        HTTP_CONTENT_TYPE: 'x',
        HTTP_PROXY: 'http://evil',
        HTTP_ACCEPT: '',
        REMOTE_USER: '',
      },
      keys(new AbortController().signal),
    );
    expect(serverSide(env)).toEqual([]);
  });

  it("the in-memory test client's environ (@tsgi/core/testing)", async () => {
    const { violations } = await linted(ok, { method: 'POST', path: '/a%20b?x=1', body: 'hi' });
    expect(violations.filter((v) => v.side === 'server').map((v) => v.message)).toEqual([]);
  });
});
