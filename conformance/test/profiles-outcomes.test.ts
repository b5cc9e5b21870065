/**
 * Profiles (`http` by default), `--without`/`--with`/`--stateless`, and how a run becomes an
 * outcome: n/a (another profile's case), unobservable (cannot be observed here), relaxed (a
 * failure the profile relaxes by a rule of its own), fail, pass. No server: the cases here
 * make no request, so the target is never contacted.
 */
import { describe, expect, it } from 'vitest';
import {
  CAPABILITIES,
  type CaseContext,
  MISSING,
  type ServerCase,
  type TransportProfile,
} from '../src/server/case.js';
import { CASES } from '../src/server/cases/index.js';
import { createKitTarget } from '../src/server/kit.js';
import {
  DEFAULT_PROFILE,
  missingCapabilities,
  PROFILES,
  parseCapabilities,
  resolveProfile,
} from '../src/server/profiles.js';
import { buildReport, runCase } from '../src/server/runner.js';

describe('profiles', () => {
  it('http is the default and asks for every capability; node adds only its own cases', () => {
    expect(DEFAULT_PROFILE).toBe('http');
    expect(resolveProfile(undefined).name).toBe('http');
    expect(resolveProfile(undefined).capabilities).toEqual(CAPABILITIES);
    expect(PROFILES.node?.capabilities).toEqual(CAPABILITIES);
    expect(CAPABILITIES).toEqual(
      expect.arrayContaining(['httpVersion', 'rawTarget', 'reasonPhrase', 'gates', 'store']),
    );
    // Every case needing something names a known capability; profile cases name a profile.
    for (const c of CASES) {
      for (const n of c.needs ?? []) expect(CAPABILITIES).toContain(n);
      for (const p of c.profiles ?? []) expect(Object.keys(PROFILES)).toContain(p);
    }
  });

  it('an unknown profile or capability throws naming the valid ones', () => {
    expect(() => resolveProfile('nosuch')).toThrow(/unknown profile "nosuch"; valid: http, node/);
    expect(() => parseCapabilities('rawHeaders,rawHeader')).toThrow(
      /unknown capability "rawHeader"; valid: direct, disconnect/,
    );
    expect(() => resolveProfile('http', { with: ['x', 'y'] })).toThrow(
      /unknown capabilities "x", "y"/,
    );
  });

  it('--without removes, --with adds, lists and comma-separated alike; --stateless drops gates and store', () => {
    const p = resolveProfile('http', { without: ['rawHeaders,httpVersion', 'reasonPhrase'] });
    expect(missingCapabilities(p)).toEqual(['rawHeaders', 'httpVersion', 'reasonPhrase']);
    expect(p.name).toBe('http');
    const cgi = resolveProfile('cgi', { with: 'disconnect' });
    expect(cgi.capabilities).toContain('disconnect');
    expect(cgi.relaxes).toBe(PROFILES.cgi?.relaxes);
    expect(missingCapabilities(resolveProfile('node', { stateless: true }))).toEqual([
      'gates',
      'store',
    ]);
    // Unchanged when nothing is adjusted; the shared table is never modified.
    expect(resolveProfile('http', {})).toBe(PROFILES.http);
    expect(PROFILES.http?.capabilities).toEqual(CAPABILITIES);
  });

  it('fastcgi and cgi relax the front end duties by ADP-FCGI-22 / ADP-CGI-17, not ENV-13', () => {
    for (const [name, by] of [
      ['fastcgi', 'ADP-FCGI-22'],
      ['cgi', 'ADP-CGI-17'],
    ] as const) {
      const relaxes = PROFILES[name]?.relaxes ?? {};
      for (const id of ['ENV-07', 'ENV-14', 'ENV-30', 'SRV-02', 'SR-12', 'SR-16', 'IN-07'])
        expect([id, relaxes[id]?.by]).toEqual([id, by]);
      // The adapters must repair the Cookie join (ADP-FCGI-23, ADP-CGI-07): no relaxation.
      expect(relaxes['ENV-13']).toBeUndefined();
    }
    expect(PROFILES.http?.relaxes).toBeUndefined();
    expect(PROFILES.node?.relaxes).toBeUndefined();
  });
});

/** A case that checks what `body` says, without any request. */
function fake(
  body: (t: CaseContext) => Promise<void> | void,
  extra: Partial<ServerCase> = {},
): ServerCase {
  return {
    id: 'fake/case',
    title: 'fake',
    requirements: ['ENV-14', 'ENV-12'],
    level: 'MUST',
    request: 'none',
    expect: 'nothing',
    run: async (t) => body(t),
    ...extra,
  };
}

const run = (c: ServerCase, profile: TransportProfile, inline = false) =>
  runCase(c, createKitTarget('http://127.0.0.1:9', '', profile, inline));

describe('outcomes', () => {
  const http = resolveProfile('http');
  const fastcgi = resolveProfile('fastcgi');
  const failsEnv14 = fake((t) => t.equal('ENV-14', 'spoof', 'real', 'HTTP_X_AUTH_USER'));

  it('n/a: a case of another profile, whatever the capabilities', async () => {
    const r = await run(
      fake(() => {}, { profiles: ['node'], needs: ['rawHeaders'] }),
      http,
    );
    expect(r).toMatchObject({ status: 'n/a', message: 'a rule of the node profile only' });
  });

  it('unobservable: a capability the case needs is missing (--without)', async () => {
    let ran = false;
    const c = fake(
      () => {
        ran = true;
      },
      { needs: ['direct', 'httpVersion'] },
    );
    const r = await run(c, resolveProfile('http', { without: 'httpVersion' }));
    expect(r).toMatchObject({
      status: 'unobservable',
      capability: 'httpVersion',
      message: `cannot be observed here: ${MISSING.httpVersion}`,
    });
    expect(ran).toBe(false);
    expect((await run(c, http)).status).toBe('pass');
  });

  it('unobservable while running: observe() without the store, openGate() without gates', async () => {
    const stateless = resolveProfile('http', { stateless: true });
    const observes = fake(async (t) => void (await t.observe('tnone', (o) => o.released)));
    expect(await run(observes, stateless, true)).toMatchObject({
      status: 'unobservable',
      capability: 'store',
      message: expect.stringMatching(
        /^cannot be observed here: the response carried no observation/,
      ),
    });
    const gates = fake(async (t) => t.openGate('tnone'));
    expect(await run(gates, stateless, true)).toMatchObject({
      status: 'unobservable',
      capability: 'gates',
    });
  });

  it('relaxed: a failure of a requirement the profile relaxes, naming the profile rule', async () => {
    const r = await run(failsEnv14, fastcgi);
    expect(r).toMatchObject({
      status: 'relaxed',
      relaxedBy: 'ADP-FCGI-22',
      requirement: 'ENV-14',
      message: expect.stringMatching(
        /^relaxed by ADP-FCGI-22: the front end builds the HTTP_\* variables/,
      ),
      expected: 'HTTP_X_AUTH_USER = "real"',
      actual: '"spoof"',
    });
    expect(r.section).toMatch(/02-environ\.html#env-14/);
    const report = buildReport([r], { url: 'u', mount: '', profile: 'fastcgi', strict: true });
    expect(report.summary).toMatchObject({ relaxed: 1, fail: 0, mustFailures: 0, ok: true });
  });

  it('fail: the same failure where the profile does not relax it', async () => {
    const r = await run(failsEnv14, http);
    expect(r).toMatchObject({ status: 'fail', requirement: 'ENV-14' });
    const report = buildReport([r], { url: 'u', mount: '', profile: 'http', strict: false });
    expect(report.summary).toMatchObject({ fail: 1, relaxed: 0, mustFailures: 1, ok: false });
  });

  it('a relaxed failure does not hide a later failure of a rule that is not relaxed', async () => {
    const both = fake((t) => {
      t.check('ENV-14', false, 'no HTTP_X_ONLY', 'spoof');
      t.check('ENV-12', false, 'HTTP_X_EMPTY', undefined);
    });
    expect(await run(both, fastcgi)).toMatchObject({ status: 'fail', requirement: 'ENV-12' });
  });

  it('an error after a relaxed failure, or of a relaxed primary requirement, is relaxed', async () => {
    const after = fake((t) => {
      t.check('ENV-14', false, 'x', 'y');
      throw new Error('Unexpected token in JSON');
    });
    expect(await run(after, fastcgi)).toMatchObject({
      status: 'relaxed',
      message: expect.stringMatching(/\(then: Unexpected token in JSON\)$/),
    });
    const timeout = fake(() => {
      throw new Error('no response within 5000 ms');
    });
    expect(await run(timeout, fastcgi)).toMatchObject({ status: 'relaxed', requirement: 'ENV-14' });
    expect(await run(timeout, http)).toMatchObject({ status: 'fail', requirement: 'ENV-14' });
  });

  it('a part not observed here is named on a pass', async () => {
    const partly = fake((t) => t.unobserved('store', 'the body release'));
    const r = await run(partly, resolveProfile('http', { stateless: true }), true);
    expect(r).toMatchObject({
      status: 'pass',
      message: 'passed; not observed here: the body release (no store)',
      unobserved: [`the body release: ${MISSING.store}`],
    });
  });

  it('the summary counts every outcome apart', () => {
    const statuses = ['pass', 'fail', 'relaxed', 'unobservable', 'skip', 'n/a'] as const;
    const cases = statuses.map((status) => ({
      id: `x/${status}`,
      title: '',
      requirements: [],
      level: 'MUST' as const,
      status,
      message: '',
      section: '',
      durationMs: 0,
    }));
    const report = buildReport(cases, { url: 'u', mount: '', profile: 'http', strict: false });
    expect(report.summary).toEqual({
      total: 6,
      pass: 1,
      fail: 1,
      relaxed: 1,
      unobservable: 1,
      skip: 1,
      'n/a': 1,
      mustFailures: 1,
      shouldFailures: 0,
      ok: false,
    });
  });
});
