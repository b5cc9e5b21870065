import type { Application } from '@tsgi/core';
import { request } from '@tsgi/core/testing';
import { describe, expect, it } from 'vitest';

const echo: Application = async (env, start) => {
  let body = '';
  for await (const c of env['tsgi.input']) body += new TextDecoder().decode(c);
  start('200 OK', [
    ['content-type', 'application/json'],
    ['set-cookie', 'a=1'],
    ['set-cookie', 'b=2'],
  ]);
  return [
    new TextEncoder().encode(
      JSON.stringify({
        method: env.REQUEST_METHOD,
        path: env.PATH_INFO,
        query: env.QUERY_STRING,
        body,
        cookie: env.HTTP_COOKIE,
      }),
    ),
  ];
};

describe('in-memory client (@tsgi/core/testing)', () => {
  it('runs an app through the engine and returns status, headers and body', async () => {
    const res = await request(echo, {
      method: 'POST',
      path: '/a%20b?x=1',
      headers: [
        ['cookie', 'k=v'],
        ['Cookie', 'j=w'],
      ],
      body: 'hello',
    });
    expect(res.status).toBe(200);
    expect(res.complete).toBe(true);
    expect(res.headers.filter(([n]) => n === 'set-cookie')).toHaveLength(2);
    expect(JSON.parse(res.text())).toEqual({
      method: 'POST',
      path: '/a b',
      query: 'x=1',
      body: 'hello',
      cookie: 'k=v; j=w',
    });
  });

  it('streams an async request body into tsgi.input', async () => {
    const res = await request(echo, {
      method: 'PUT',
      body: (async function* () {
        yield new TextEncoder().encode('a');
        yield new TextEncoder().encode('b');
      })(),
    });
    expect(JSON.parse(res.text()).body).toBe('ab');
  });

  it('reports an aborted response as incomplete (ERR-03)', async () => {
    const res = await request((_e, start) => {
      start('200 OK', [['content-length', '10']]);
      return [new Uint8Array(3)];
    });
    expect(res.complete).toBe(false);
    expect(res.errors).toContain('BODY-09');
  });
});
