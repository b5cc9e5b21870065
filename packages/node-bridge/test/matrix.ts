/**
 * The framework-by-server matrix of issue 19: the decoupling script (examples/decoupling.ts) plus
 * path params, a thrown error and a router mounted under a prefix, run against each framework's
 * app. Every server mounts each app at `/<framework>`, so SCRIPT_NAME is the same everywhere and
 * mount-aware answers (Express's `req.baseUrl`) compare too.
 */
import type { Application } from '@tsgi/core';
import { request } from '@tsgi/core/testing';
import {
  compare,
  type NormalisedResponse,
  normalise,
  type RawResponse,
  requests,
  runScript,
  type ScriptRequest,
  type ScriptResult,
  type Send,
} from '../../../examples/decoupling.js';

/** The decoupling script and this package's extra requests. */
export const script: readonly ScriptRequest[] = [
  ...requests,
  { name: 'GET /users/42', method: 'GET', path: '/users/42' },
  { name: 'GET /error', method: 'GET', path: '/error' },
  { name: 'GET /api/hello', method: 'GET', path: '/api/hello?x=1' },
];

/** Normalised responses by request name. */
export type Result = ScriptResult;

/**
 * `normalise` of examples/decoupling.ts, and one more allowance: an absolute URL a framework
 * echoes in a body (h3's 404 message) names the Host the client sent, which is each front
 * end's own port, so `http://host:port` reads `http://HOST`.
 */
function _normalise(res: RawResponse): NormalisedResponse {
  const n = normalise(res);
  return { ...n, body: n.body.replace(/http:\/\/[^/\s"]+/g, 'http://HOST') };
}

/** Runs the script through `send`. */
export function runAll(send: Send): Promise<Result> {
  return runScript(send, script, _normalise);
}

/** The requests whose responses differ, as readable lines. */
export function differences(expected: Result, actual: Result): string[] {
  return compare(expected, actual, script);
}

/** Sends in memory through the real engine, the app mounted at `prefix` (SCRIPT_NAME). */
export function memory(app: Application, prefix: string): Send {
  return (req) =>
    request(app, {
      method: req.method,
      path: prefix + req.path,
      ...(req.headers === undefined ? {} : { headers: req.headers }),
      ...(req.body === undefined ? {} : { body: req.body }),
    });
}

/** One row per framework, one column per server: `✓ n/n` or `✗ passed/n`. */
export function table(
  rows: Record<string, Record<string, Result>>,
  servers: readonly string[],
  baseline: string,
): string {
  const lines = [
    `| framework | ${servers.join(' | ')} |`,
    `| --- |${servers.map(() => ' --- |').join('')}`,
  ];
  const notes: string[] = [];
  for (const [framework, runs] of Object.entries(rows)) {
    const base = runs[baseline];
    const cells = servers.map((s) => {
      const run = runs[s];
      if (run === undefined || base === undefined) return '–';
      const d = differences(base, run);
      for (const line of d) notes.push(`- ${framework} on ${s}: ${line}`);
      return `${d.length === 0 ? '✓' : '✗'} ${script.length - d.length}/${script.length}`;
    });
    lines.push(`| ${framework} | ${cells.join(' | ')} |`);
  }
  if (notes.length > 0) lines.push('', 'Differences:', '', ...notes);
  return `${lines.join('\n')}\n`;
}
