/**
 * The server suite against the real node:http adapter (the http profile, the node profile, and
 * stateless as on an isolate runtime), and against deliberately broken servers: each broken
 * variant must fail with the requirement it breaks (the suite has teeth), while the same server
 * unbroken passes the same cases.
 */
import type { Application } from '@tsgi/core';
import { serve } from '@tsgi/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbe } from '../src/probe/index.js';
import { type CaseResult, runServerSuite, type SuiteReport } from '../src/server/runner.js';
import { KNOWN_CORE_FAILURES } from './_known-failures.js';
import { type Breakage, startReference } from './_reference-server.js';

describe('server suite against @tsgi/node', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve(createProbe(), { port: 0, errors: () => {} });
  });
  afterAll(() => server.close({ timeout: 100 }));

  /** MUST failures that are not known core deviations; known ones that pass (stale entries). */
  function unexpected(report: SuiteReport): { failed: string[]; stale: string[] } {
    const failed = report.cases.filter((c) => c.status === 'fail');
    return {
      failed: failed
        .filter((c) => !(c.id in KNOWN_CORE_FAILURES))
        .map((c) => `${c.id}: ${c.message}`),
      stale: Object.keys(KNOWN_CORE_FAILURES).filter(
        (id) => report.cases.some((c) => c.id === id) && !failed.some((c) => c.id === id),
      ),
    };
  }

  it('CONF-04: the http profile (the default) runs the core cases; every one passes but for known core deviations', async () => {
    const report = await runServerSuite({ url: server.url });
    expect(report.target).toMatchObject({ profile: 'http', missing: [], stateless: false });
    expect(unexpected(report)).toEqual({ failed: [], stale: [] });
    // node:http specifics are another profile's: n/a here, and nothing else is.
    const na = report.cases.filter((c) => c.status === 'n/a').map((c) => c.id);
    expect(na.length).toBeGreaterThan(5);
    expect(na.filter((id) => !id.startsWith('node/'))).toEqual([]);
    expect(
      report.cases.filter((c) => c.status === 'unobservable' || c.status === 'relaxed'),
    ).toEqual([]);
    // Only the optional extensions, which @tsgi/node does not offer, may be skipped.
    const skipped = report.cases.filter((c) => c.status === 'skip').map((c) => c.id);
    expect(skipped.filter((id) => !id.startsWith('extensions/'))).toEqual([]);
    expect(report.summary.total).toBeGreaterThanOrEqual(70);
  });

  it('CONF-04: the node profile adds the node:http cases, which pass', async () => {
    const report = await runServerSuite({ url: server.url, profile: 'node', only: ['node/'] });
    expect(report.cases.length).toBeGreaterThan(5);
    expect(unexpected(report)).toEqual({ failed: [], stale: [] });
    expect(
      report.cases.filter((c) => c.status !== 'pass' && !(c.id in KNOWN_CORE_FAILURES)),
    ).toEqual([]);
  });
});

describe('server suite in stateless mode (isolate runtimes)', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  const asked: string[] = [];
  beforeAll(async () => {
    const probe = createProbe({ stateless: true });
    // Every request that would depend on another one: a gate or a store look-up.
    const spy: Application = (environ, start) => {
      if (/\/__tsgi\/(gate|observations)\//.test(environ.PATH_INFO)) asked.push(environ.PATH_INFO);
      return probe(environ, start);
    };
    server = await serve(spy, { port: 0, errors: () => {} });
  });
  afterAll(() => server.close({ timeout: 100 }));

  it('no MUST failure; no request waits on another; what needs the store is unobservable', async () => {
    const report = await runServerSuite({ url: server.url, stateless: true });
    expect(report.target).toMatchObject({ stateless: true, missing: ['gates', 'store'] });
    const failed = report.cases.filter(
      (c) => c.status === 'fail' && c.level === 'MUST' && !(c.id in KNOWN_CORE_FAILURES),
    );
    expect(failed.map((c) => `${c.id}: ${c.message}`)).toEqual([]);
    expect(asked).toEqual([]);
    const by = new Map(report.cases.map((c) => [c.id, c]));
    // Timed holds instead of gates keep these meaningful.
    for (const id of [
      'response/deferred-headers',
      'response/deferred-content-length-zero',
      'write/empty-chunk',
      'body/streaming',
      'server/concurrent',
    ])
      expect([id, by.get(id)?.status]).toEqual([id, 'pass']);
    // Observations carried by the responses themselves (header, trailing document, body).
    for (const id of ['extensions/early-hints', 'write/late', 'input/cancel', 'environ/shape'])
      expect([id, by.get(id)?.status]).not.toEqual([id, 'unobservable']);
    expect(by.get('write/late')?.status).toBe('pass');
    // After the response: cannot be observed, and says why.
    expect(by.get('body/release-normal')).toMatchObject({
      status: 'unobservable',
      capability: 'store',
      message: expect.stringMatching(/^cannot be observed here: .*stateless mode/),
    });
    // Partly observed: passes, naming the part it could not check.
    expect(by.get('body/sync')).toMatchObject({
      status: 'pass',
      message: expect.stringMatching(/not observed here: the body release/),
    });
    expect(report.summary.unobservable).toBeGreaterThan(5);
  });
});

describe('server suite against deliberately broken servers', () => {
  const variants: Array<{ name: string; broken: Breakage; caseId: string; requirement: string }> = [
    {
      name: 'never releases the body',
      broken: { neverRelease: true },
      caseId: 'body/release-normal',
      requirement: 'BODY-06',
    },
    {
      name: 'decodes the path as UTF-8',
      broken: { utf8Path: true },
      caseId: 'environ/path-bytes',
      requirement: 'ENV-06',
    },
    {
      name: 'keeps only the last repeated header',
      broken: { lastHeaderOnly: true },
      caseId: 'environ/repeated-headers',
      requirement: 'ENV-13',
    },
    {
      name: 'never aborts the signal',
      broken: { neverAbort: true },
      caseId: 'errors/disconnect-signal',
      requirement: 'ENV-24',
    },
    {
      name: 'sends a body for HEAD',
      broken: { headBody: true },
      caseId: 'body/head',
      requirement: 'BODY-12',
    },
    {
      name: 'sends headers at startResponse time',
      broken: { eagerHeaders: true },
      caseId: 'response/deferred-headers',
      requirement: 'SR-08',
    },
    {
      name: 'truncates the input',
      broken: { truncateInput: true },
      caseId: 'input/truncated',
      requirement: 'IN-04',
    },
  ];
  const only = variants.map((v) => v.caseId);

  async function run(broken: Breakage, ids: string[]): Promise<Map<string, CaseResult>> {
    const ref = await startReference(createProbe(), { broken });
    try {
      const report = await runServerSuite({ url: ref.url, only: ids });
      return new Map(report.cases.map((c) => [c.id, c]));
    } finally {
      await ref.close();
    }
  }

  it('the unbroken reference server passes those cases (the control)', async () => {
    const results = await run({}, only);
    expect([...results.values()].filter((r) => r.status !== 'pass').map((r) => r.message)).toEqual(
      [],
    );
  });

  it('EXT-01..04: the extension cases pass against a server that offers them', async () => {
    const results = await run({ extensions: true }, ['extensions/']);
    expect([...results.values()].map((r) => `${r.id} ${r.status} ${r.message}`)).toEqual(
      [...results.keys()].map((id) => `${id} pass `),
    );
  });

  it.each(variants)(
    'a server that $name fails $caseId with $requirement',
    async ({ broken, caseId, requirement }) => {
      const r = (await run(broken, [caseId])).get(caseId);
      expect(r?.status).toBe('fail');
      expect(r?.requirement).toBe(requirement);
      expect(r?.message).toMatch(new RegExp(requirement));
    },
  );
});
