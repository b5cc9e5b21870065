/** The probe application itself: dispatch, observations, and its own conformance. */
import { request } from '@tsgi/core/testing';
import { describe, expect, it } from 'vitest';
import { createProbe, type Observation } from '../src/probe/index.js';

const probe = createProbe();
const observe = async (token: string): Promise<Observation> =>
  JSON.parse((await request(probe, { path: `/__tsgi/observations/${token}` })).text());

describe('the probe', () => {
  it('answers outside /__tsgi/ and 404s unknown endpoints and tokens', async () => {
    expect((await request(probe, { path: '/' })).text()).toMatch(/conformance probe/);
    expect((await request(probe, { path: '/__tsgi/nope' })).status).toBe(404);
    expect((await request(probe, { path: '/__tsgi/observations/unknown' })).status).toBe(404);
  });

  it('observes a request carrying x-tsgi-token: environ, input, release, notes', async () => {
    const res = await request(probe, {
      method: 'POST',
      path: '/__tsgi/echo?mode=iter',
      headers: { 'x-tsgi-token': 'tok1' },
      body: 'hello',
    });
    expect(JSON.parse(res.text())).toMatchObject({ bytes: 5, error: null });
    const o = await observe('tok1');
    expect(o).toMatchObject({ token: 'tok1', handler: 'echo', input: { bytes: 5, eof: true } });
    expect(o.environ).toMatchObject({ REQUEST_METHOD: 'POST', HTTP_X_TSGI_TOKEN: 'tok1' });
    expect(o.environ['tsgi.input']).toMatchObject({ members: { read: 'function' } });
    expect(o.notes.echo).toMatchObject({ bytes: 5 });
  });

  it.each([
    '/__tsgi/env',
    '/__tsgi/echo',
    '/__tsgi/body?kind=sync&hook=all',
    '/__tsgi/body?kind=array&cl=auto',
    '/__tsgi/body?kind=both&empty=1&lead=2',
    '/__tsgi/write?n=2&m=2',
    '/__tsgi/big?n=4&size=16',
    '/__tsgi/big?n=4&size=16&kind=write',
    '/__tsgi/headers',
    '/__tsgi/errors',
    '/__tsgi/excinfo?when=before',
    '/__tsgi/ext?which=hints',
  ])('%s breaks no application rule and is released', async (path) => {
    const token = `t${Math.random().toString(36).slice(2)}`;
    const res = await request(probe, { path, headers: { 'x-tsgi-token': token } });
    expect(res.complete).toBe(true);
    const o = await observe(token);
    const errors = o.violations.filter((v) => v.severity === 'error');
    expect(errors).toEqual([]);
    if (o.body.kind !== 'array') expect(o.released).toBe(true);
  });

  it('a gate releases a waiting body', async () => {
    const pending = request(probe, {
      path: '/__tsgi/body?gate=before',
      headers: { 'x-tsgi-token': 'gated' },
    });
    await new Promise((r) => setTimeout(r, 20));
    expect((await observe('gated')).body.chunks).toBe(0);
    await request(probe, { path: '/__tsgi/gate/gated' });
    expect((await pending).text()).toBe('aaaaabbbbbccccc');
  });
});
