/** The hello example, run in memory through the real response engine (@tsgi/core/testing). */
import { request } from '@tsgi/core/testing';
import { describe, expect, it } from 'vitest';
import app from '../app.js';

describe('examples/hello', () => {
  it('GET / says hello with a content-length', async () => {
    const res = await request(app, { path: '/' });
    expect([res.status, res.text(), res.header('content-length')]).toEqual([
      200,
      'Hello, World!\n',
      '14',
    ]);
  });

  it('POST /echo returns method, decoded path, raw query, headers and body', async () => {
    const res = await request(app, {
      method: 'POST',
      path: '/echo?x=%20y',
      headers: [['X-Test', '1']],
      body: 'héllo',
    });
    expect(JSON.parse(res.text())).toEqual({
      method: 'POST',
      path: '/echo',
      query: 'x=%20y',
      headers: [],
      body: 'héllo',
    });
  });

  it('GET /stream yields five chunks', async () => {
    const res = await request(app, { path: '/stream' });
    expect(res.text()).toBe([1, 2, 3, 4, 5].map((i) => `chunk ${i} of 5\n`).join(''));
  });

  it('anything else is 404', async () => {
    expect((await request(app, { path: '/nope' })).status).toBe(404);
  });
});
