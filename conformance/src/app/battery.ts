/**
 * `tsgi-conformance app APP`: runs an application through a standard battery of requests under
 * the lint, in memory (@tsgi/core/testing) and over node:http (@tsgi/node), and reports the
 * application-side violations in the suite's report format (CONF-01, CONF-05).
 */
import type { Application } from '@tsgi/core';
import { request } from '@tsgi/core/testing';
import { serve } from '@tsgi/node';
import { loadApp } from '@tsgi/server-node/load-app';
import { type LintRecord, lint, type Violation } from '../lint/index.js';
import { Connection } from '../server/connection.js';
import { buildReport, type CaseResult, type SuiteReport } from '../server/runner.js';
import { specLink } from '../server/spec-links.js';

/** One request of the battery. */
export interface BatteryRequest {
  name: string;
  method: string;
  target: string;
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: string;
}

/** The standard battery: the requests every application meets in production. */
export const BATTERY: readonly BatteryRequest[] = [
  { name: 'get-root', method: 'GET', target: '/' },
  { name: 'head-root', method: 'HEAD', target: '/' },
  { name: 'get-query', method: 'GET', target: '/?q=%41+b&x' },
  { name: 'get-missing', method: 'GET', target: '/tsgi-conformance/does/not/exist' },
  { name: 'get-odd-path', method: 'GET', target: '/%E3%81%82/%FF//a' },
  { name: 'options', method: 'OPTIONS', target: '/' },
  {
    name: 'post-form',
    method: 'POST',
    target: '/',
    headers: [['content-type', 'application/x-www-form-urlencoded']],
    body: 'a=1&b=%41',
  },
  {
    name: 'post-json',
    method: 'POST',
    target: '/',
    headers: [['content-type', 'application/json']],
    body: '{"probe":true}',
  },
];

/** Options for `runAppBattery`. */
export interface BatteryOptions {
  /** Only requests whose case ID starts with one of these (`app/memory/`, `app/node/head`). */
  only?: readonly string[];
  strict?: boolean;
  onResult?: (r: CaseResult) => void;
  /** What to call the application in the report. */
  name?: string;
}

/**
 * Imports an application module as `tsgi serve` does (`@tsgi/server-node`'s `loadApp`): a `.ts`
 * file through tsx, a package specifier, `file:APP` or `APP:exportName`; its default export, or
 * its export named `app`. A failure is an `AppLoadError` whose message is one line (issue 24).
 */
export async function loadApplication(spec: string): Promise<Application> {
  return loadApp(spec, { importModule: _tsImport });
}

/** tsx on Node.js; Bun and Deno load TypeScript themselves (tsx's hooks are Node's). */
async function _tsImport(specifier: string, parentURL: string): Promise<unknown> {
  const v = process.versions as Record<string, string | undefined>;
  if (v.bun !== undefined || v.deno !== undefined) return import(specifier);
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(specifier, parentURL);
}

/** The case result for one request, from what the lint saw. */
function _result(
  id: string,
  violations: Violation[],
  record: LintRecord | undefined,
  started: number,
): CaseResult {
  const errors = violations.filter((v) => v.side === 'application' && v.severity === 'error');
  const warnings = violations.filter((v) => v.side === 'application' && v.severity === 'warning');
  const line = (v: Violation) => `${v.message}${v.callSite ? ` (at ${v.callSite})` : ''}`;
  const base = {
    id,
    title: `the application under the lint: ${id.split('/').slice(1).join(' ')}`,
    level: 'MUST' as const,
    durationMs: Date.now() - started,
  };
  if (record === undefined)
    return {
      ...base,
      requirements: [],
      status: 'skip',
      message: 'the request never reached the app',
      section: '',
    };
  const ids = [...new Set(errors.map((v) => v.requirement))];
  if (errors.length === 0)
    return {
      ...base,
      requirements: [...new Set(warnings.map((v) => v.requirement))],
      status: 'pass',
      message: warnings.map(line).join('; '),
      section: '',
    };
  return {
    ...base,
    requirements: ids,
    status: 'fail',
    requirement: ids[0]!,
    message: [...errors, ...warnings].map(line).join('; '),
    section: specLink(ids[0]!),
  };
}

/** BODY-12 (SHOULD): HEAD is answered as GET is, minus the body. */
async function _headLikeGet(app: Application): Promise<CaseResult> {
  const started = Date.now();
  const [get, head] = [await request(app), await request(app, { method: 'HEAD' })];
  const pick = (r: typeof get) => [r.status, r.header('content-type'), r.header('content-length')];
  const same = JSON.stringify(pick(get)) === JSON.stringify(pick(head));
  return {
    id: 'app/memory/head-like-get',
    title: 'HEAD / is answered as GET / is',
    requirements: ['BODY-12'],
    level: 'SHOULD',
    status: same ? 'pass' : 'fail',
    message: same
      ? ''
      : `GET gave ${JSON.stringify(pick(get))}, HEAD ${JSON.stringify(pick(head))}`,
    ...(same ? {} : { requirement: 'BODY-12' }),
    section: specLink('BODY-12'),
    durationMs: Date.now() - started,
  };
}

/** Runs the battery and returns a report. */
export async function runAppBattery(
  app: Application,
  options: BatteryOptions = {},
): Promise<SuiteReport> {
  const results: CaseResult[] = [];
  const wanted = (id: string) =>
    options.only === undefined ||
    options.only.length === 0 ||
    options.only.some((p) => id.startsWith(p));
  const push = (r: CaseResult) => {
    results.push(r);
    options.onResult?.(r);
  };
  let current: { violations: Violation[]; record?: LintRecord } = { violations: [] };
  const linted = lint(app, {
    onViolation: (v) => current.violations.push(v),
    onRequest: (r) => {
      current.record = r;
    },
  });

  for (const req of BATTERY) {
    const id = `app/memory/${req.name}`;
    if (!wanted(id)) continue;
    current = { violations: [] };
    const started = Date.now();
    await request(linted, {
      method: req.method,
      path: req.target,
      ...(req.headers ? { headers: req.headers } : {}),
      ...(req.body !== undefined ? { body: req.body } : {}),
    });
    push(_result(id, current.violations, current.record, started));
  }

  if (wanted('app/memory/head-like-get')) push(await _headLikeGet(linted));

  if (BATTERY.some((r) => wanted(`app/node/${r.name}`))) {
    const server = await serve(linted, { port: 0, errors: () => {} });
    try {
      const url = new URL(server.url);
      for (const req of BATTERY) {
        const id = `app/node/${req.name}`;
        if (!wanted(id)) continue;
        current = { violations: [] };
        const started = Date.now();
        const conn = await Connection.open(url);
        const headers = [['Host', url.host], ...(req.headers ?? []), ['Connection', 'close']];
        if (req.body !== undefined)
          headers.push(['Content-Length', String(Buffer.byteLength(req.body))]);
        conn.send(
          `${req.method} ${req.target} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${req.body ?? ''}`,
        );
        await conn.readResponse({ head: req.method === 'HEAD', orNothing: true, timeout: 10_000 });
        conn.destroy();
        // The lint sees the end of a non-Array body at its release (BODY-06).
        if (current.record !== undefined && current.record.body.kind !== 'array')
          await Promise.race([current.record.finished, new Promise((r) => setTimeout(r, 500))]);
        push(_result(id, current.violations, current.record, started));
      }
    } finally {
      await server.close({ timeout: 1000 });
    }
  }
  return buildReport(results, {
    url: `app:${options.name ?? 'application'}`,
    mount: '',
    profile: 'app',
    strict: options.strict === true,
  });
}
