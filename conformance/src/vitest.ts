/**
 * `defineServerSuite`: the server suite as vitest tests, one per case, so a server's own test
 * run checks conformance (Plack::Test::Suite's `run_server_tests`, research §4.4).
 *
 * ```ts
 * import { defineServerSuite } from '@tsgi/conformance/vitest';
 * defineServerSuite({ start: async (app) => { const s = await serve(app, { port: 0 }); return { url: s.url, close: () => s.close() }; } });
 * ```
 * @module
 */
import type { Application } from '@tsgi/core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createProbe } from './probe/index.js';
import { formatCase } from './report/console.js';
import type { TransportProfile } from './server/case.js';
import { CASES } from './server/cases/index.js';
import { createKitTarget } from './server/kit.js';
import { DEFAULT_PROFILE, resolveProfile } from './server/profiles.js';
import { runCase, selectCases } from './server/runner.js';

/** A running server hosting the probe. */
export interface StartedServer {
  url: string;
  close(): void | Promise<void>;
}

/** Options for `defineServerSuite`. */
export interface ServerSuiteOptions {
  /** Starts the server under test hosting `app` (mounted at `mount` when given). */
  start(app: Application, context: { mount: string }): StartedServer | Promise<StartedServer>;
  /** The describe() title. Default `TSGI server conformance`. */
  name?: string;
  /** SCRIPT_NAME to mount the probe at. Default `''`. */
  mount?: string;
  /** `http` (default), `node`, `fastcgi`, `cgi`, or a custom profile. */
  profile?: string | TransportProfile;
  /** Capabilities the server's runtime cannot expose: their cases are skipped as unobservable. */
  without?: readonly string[];
  /** Capabilities to add to the profile. */
  with?: readonly string[];
  /**
   * Host a stateless probe (as `TSGI_PROBE_STATELESS=1` does) and run without gates and store,
   * observations inline: for servers whose requests may not share state (isolate runtimes).
   */
  stateless?: boolean;
  only?: readonly string[];
  /** SHOULD failures fail the test too; otherwise they are reported as skipped. */
  strict?: boolean;
  /**
   * Cases known to fail, each with the reason (a bug link): their tests pass while the case
   * fails and fail once it passes, so the list cannot go stale (Node's WPT status files).
   */
  expectedFailures?: Readonly<Record<string, string>>;
}

/**
 * Declares one vitest test per server case. `n/a` and `unobservable` cases are skipped with
 * their reason; a `relaxed` case passes (its profile allows the deviation).
 */
export function defineServerSuite(options: ServerSuiteOptions): void {
  const stateless = options.stateless === true;
  const profile = resolveProfile(options.profile ?? DEFAULT_PROFILE, {
    without: options.without,
    with: options.with,
    stateless,
  });
  const mount = (options.mount ?? '').replace(/\/$/, '');
  describe(options.name ?? 'TSGI server conformance', () => {
    let server: StartedServer | undefined;
    beforeAll(async () => {
      server = await options.start(createProbe({ stateless }), { mount });
    });
    afterAll(async () => {
      await server?.close();
    });
    for (const c of selectCases(options.only, CASES)) {
      const known = options.expectedFailures?.[c.id];
      const title = `${c.id} [${c.requirements.join(' ')}] ${c.level}`;
      it(known === undefined ? title : `${title} (expected failure: ${known})`, async (ctx) => {
        const r = await runCase(c, createKitTarget(server!.url, mount, profile, stateless));
        if (known !== undefined) {
          if (r.status !== 'fail')
            throw new Error(`${c.id} now ${r.status}: drop it from expectedFailures`);
          return;
        }
        if (r.status === 'n/a' || r.status === 'skip' || r.status === 'unobservable')
          return ctx.skip(`${r.status}: ${r.message}`);
        if (r.status === 'fail') {
          if (c.level !== 'MUST' && options.strict !== true) return ctx.skip(formatCase(r));
          throw new Error(formatCase(r));
        }
      });
    }
  });
}
