/**
 * `serve(app)` from '@tsgi/serve' on real Bun, Deno and workerd (the pinned root
 * devDependencies), with the conformance probe: the export condition picks each runtime's entry,
 * and the cases of the toFetch bridge bugs of issue 18 pass under each runtime's profile
 * (ADP-FETCH-*). The whole suite per runtime is `pnpm conformance:matrix bun deno workerd`.
 */
import { fileURLToPath } from 'node:url';
import { runServerSuite } from '@tsgi/conformance';
import {
  type RuntimeName,
  type RuntimeServer,
  requireRuntime,
  startRuntimeScript,
} from '@tsgi/harness/runtimes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

// The cases of what the bridge got wrong (issue 18), each runtime's relaxations aside.
const BRIDGE_CASES = [
  'environ/remote-vars', // ENV-17, ADP-FETCH-02
  'environ/cookie-join', // ENV-13, ADP-FETCH-01
  'input/truncated', // IN-04, ADP-FETCH-04
  'input/reset-is-disconnect', // IN-15, ERR-05
  'errors/write-after-disconnect', // ERR-05
  'errors/read-after-disconnect', // ERR-05, ENV-24
  'errors/signal-after-completion', // ENV-31: Deno's legacy abort does not leak
  'request/host-invalid', // ENV-34, ADP-FETCH-03
  'request/content-length-repeated', // SRV-14
  'request/target-form', // SRV-15
  'body/no-invented-content-type', // BODY-22, ADP-FETCH-06
  'body/no-added-length', // BODY-25
  'response/upgrade-426', // SR-17
  'response/date', // SR-12
];

const RUNTIMES: ReadonlyArray<{
  name: RuntimeName;
  software: RegExp;
  script: string;
  stateless: boolean;
}> = [
  { name: 'bun', software: /^tsgi-serve\/\S+ Bun\//, script: 'probe.mjs', stateless: false },
  { name: 'deno', software: /^tsgi-serve\/\S+ Deno\//, script: 'probe.mjs', stateless: false },
  {
    name: 'workerd',
    software: /^tsgi-serve\/\S+ workerd$/,
    script: 'probe-worker.mjs',
    stateless: true,
  },
];

for (const runtime of RUNTIMES) {
  const binary = requireRuntime(runtime.name, `serve() on ${runtime.name}`);
  describe.skipIf(binary === undefined)(`@tsgi/serve on ${runtime.name}`, () => {
    let server: RuntimeServer;
    beforeAll(async () => {
      server = await startRuntimeScript(runtime.name, FIXTURES + runtime.script);
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('the export condition picks the runtime entry; SERVER_SOFTWARE names it (ENV-17, ADP-FETCH-02)', async () => {
      const res = await fetch(`${server.url}/app/__tsgi/env`);
      const environ = (await res.json()) as Record<string, unknown>;
      expect(environ.SERVER_SOFTWARE).toMatch(runtime.software);
      expect(environ.SCRIPT_NAME).toBe('/app');
    });

    it('the bridge cases pass under the runtime profile (ERR-05, IN-15, ENV-24, ENV-34, SRV-14, SRV-15, BODY-22, SR-17, ADP-FETCH-01..10)', async () => {
      const report = await runServerSuite({
        url: server.url,
        mount: '/app',
        profile: runtime.name,
        stateless: runtime.stateless,
        only: BRIDGE_CASES,
      });
      const failed = report.cases
        .filter((c) => c.status === 'fail')
        .map((c) => `${c.id}: ${c.message}`);
      expect(failed, server.output()).toEqual([]);
      expect(report.summary.pass).toBeGreaterThan(0);
    });
  });
}
