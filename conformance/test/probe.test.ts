/** The probe application itself: dispatch, observations, and its own conformance. */
import { request } from '@tsgi/core/testing';
import { describe, expect, it, vi } from 'vitest';
import {
  createProbe,
  decodeObservation,
  OBSERVATION_HEADER,
  type Observation,
  TRAILER_HEADER,
  TRAILER_MARK,
} from '../src/probe/index.js';

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

describe('the probe, stateless (isolate runtimes)', () => {
  const stateless = createProbe({ stateless: true });
  const token = (): string => `t${Math.random().toString(36).slice(2)}`;

  it('keeps no store and no gates: they answer 404, and a gated body does not wait', async () => {
    for (const path of ['/__tsgi/observations/x', '/__tsgi/gate/x']) {
      const res = await request(stateless, { path });
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.text()).toMatch(/stateless probe/);
    }
    const started = Date.now();
    const res = await request(stateless, { path: '/__tsgi/body?gate=before' });
    expect(res.text()).toBe('aaaaabbbbbccccc');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('hold=MS waits that long instead of a gate, in either mode', async () => {
    for (const probe of [stateless, createProbe()]) {
      const started = Date.now();
      const res = await request(probe, { path: '/__tsgi/body?gate=after:1&hold=150' });
      expect(res.text()).toBe('aaaaabbbbbccccc');
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    }
  });

  it('sends the observation in a header from document endpoints', async () => {
    const t = token();
    const res = await request(stateless, {
      method: 'POST',
      path: '/__tsgi/echo?mode=cancel&after=2',
      headers: { 'x-tsgi-token': t },
      body: 'hello',
    });
    expect(JSON.parse(res.text())).toMatchObject({ bytes: 2, readAfterCancel: 0 });
    const o = decodeObservation(res.header(OBSERVATION_HEADER) ?? '');
    expect(o).toMatchObject({ token: t, handler: 'echo', notes: { readAfterCancel: 0 } });
    expect(o?.environ).toEqual({});
  });

  it('a stateful probe inlines only when asked with x-tsgi-observe: inline', async () => {
    const probe = createProbe();
    const plain = await request(probe, {
      path: '/__tsgi/env',
      headers: { 'x-tsgi-token': token() },
    });
    expect(plain.header(OBSERVATION_HEADER)).toBeUndefined();
    const t = token();
    const asked = await request(probe, {
      path: '/__tsgi/env',
      headers: { 'x-tsgi-token': t, 'x-tsgi-observe': 'inline' },
    });
    expect(decodeObservation(asked.header(OBSERVATION_HEADER) ?? '')?.token).toBe(t);
  });

  it('ends a write body with the trailing observation, announced by a header', async () => {
    const t = token();
    const res = await request(stateless, {
      path: '/__tsgi/write?after=1&n=1&m=1',
      headers: { 'x-tsgi-token': t },
    });
    expect(res.header(TRAILER_HEADER)).toBe('1');
    const text = res.text();
    expect(text.startsWith(`aaaabbbb${TRAILER_MARK}`)).toBe(true);
    const o = decodeObservation(text.slice(text.indexOf(TRAILER_MARK) + TRAILER_MARK.length));
    expect(o).toMatchObject({ token: t, handler: 'write', notes: { lateWrite: 'WR-02' } });
  });

  it('the default export is stateless when TSGI_PROBE_STATELESS=1', async () => {
    vi.stubEnv('TSGI_PROBE_STATELESS', '1');
    vi.resetModules();
    try {
      const { default: probe } = await import('../src/probe/index.js');
      expect((await request(probe, { path: '/__tsgi/gate/x' })).status).toBe(404);
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
    const { default: probe } = await import('../src/probe/index.js');
    expect((await request(probe, { path: '/__tsgi/gate/x' })).status).toBe(200);
  });
});
