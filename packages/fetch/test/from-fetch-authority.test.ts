/**
 * fromFetch, the URL's authority: `HTTP_HOST` as the server set it (the absolute-form target's
 * authority, ENV-35, else Host), trusted exactly when it passes the server's Host grammar (ENV-34).
 */
import { request } from '@tsgi/core/testing';
import { fromFetch } from '@tsgi/fetch';
import { describe, expect, it } from 'vitest';

/** The Request the handler saw for a request through the in-memory client. */
async function seen(req: Parameters<typeof request>[1]): Promise<Request> {
  let captured: Request | undefined;
  const app = fromFetch((r) => {
    captured = r;
    return new Response('ok');
  });
  const res = await request(app, req);
  expect(res.status, res.errors).toBe(200);
  return captured!;
}

describe('fromFetch: the authority (ENV-10, ENV-34, ENV-35)', () => {
  it('ENV-35: an absolute-form request gets the target’s authority, not the Host line', async () => {
    // The environ @tsgi/node builds for `GET http://evil.test:8081/env?x=1` with `Host: good.test`.
    const r = await seen({
      path: '/env?x=1',
      headers: { host: 'good.test' },
      environ: {
        REQUEST_URI: 'http://evil.test:8081/env?x=1',
        HTTP_HOST: 'evil.test:8081',
        SERVER_NAME: 'evil.test',
        SERVER_PORT: '8081',
        'tsgi.raw_headers': [['Host', 'good.test']],
      },
    });
    expect(r.url).toBe('http://evil.test:8081/env?x=1');
    expect(r.headers.get('host')).toBe('evil.test:8081');
  });

  it('ENV-34: every Host the server accepts is used as is; one naming no host gives SERVER_NAME', async () => {
    const url = async (host: string) =>
      (
        await seen({
          path: '/p',
          headers: { host },
          environ: { SERVER_NAME: 'srv.test', SERVER_PORT: '8000' },
        })
      ).url;
    expect(await url('good.test:')).toBe('http://good.test/p');
    expect(await url('good.test:8080')).toBe('http://good.test:8080/p');
    expect(await url('[::1]:9')).toBe('http://[::1]:9/p');
    expect(await url('')).toBe('http://srv.test:8000/p');
    expect(await url(':8080')).toBe('http://srv.test:8000/p');
    expect(await url('x/y@z')).toBe('http://srv.test:8000/p');
  });
});
