/**
 * The server suite against the real node:http adapter, and against deliberately broken servers:
 * each broken variant must fail with the requirement it breaks (the suite has teeth), while the
 * same server unbroken passes the same cases.
 */
import { serve } from '@tsgi/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbe } from '../src/probe/index.js';
import { type CaseResult, runServerSuite } from '../src/server/runner.js';
import { KNOWN_CORE_FAILURES } from './_known-failures.js';
import { type Breakage, startReference } from './_reference-server.js';

describe('server suite against @tsgi/node', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve(createProbe(), { port: 0, errors: () => {} });
  });
  afterAll(() => server.close({ timeout: 100 }));

  it('CONF-04: every case passes, but for known core deviations', async () => {
    const report = await runServerSuite({ url: server.url });
    const failed = report.cases.filter((c) => c.status === 'fail');
    const unexpected = failed.filter((c) => !(c.id in KNOWN_CORE_FAILURES));
    expect(unexpected.map((c) => `${c.id}: ${c.message}`)).toEqual([]);
    // A known failure that passes means core was fixed: update the list.
    expect(
      Object.keys(KNOWN_CORE_FAILURES).filter((id) => !failed.some((c) => c.id === id)),
    ).toEqual([]);
    // Only the optional extensions, which @tsgi/node does not offer, may be skipped.
    const skipped = report.cases.filter((c) => c.status === 'n/a' || c.status === 'skip');
    expect(skipped.map((c) => c.id).filter((id) => !id.startsWith('extensions/'))).toEqual([]);
    expect(report.summary.total).toBeGreaterThanOrEqual(70);
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
