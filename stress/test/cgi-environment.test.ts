/**
 * CGI with a huge or malformed environment: thousands of variables, 100 KB values, missing
 * REQUEST_METHOD, garbage CONTENT_LENGTH and other nonsense a broken or hostile front end could
 * pass. Each run must end with a well-defined response and exit status (ADP-CGI-06, -09, -11),
 * never an adapter crash (exit 70) or a hang.
 */
import { fileURLToPath } from 'node:url';
import { type CgiRun, runCgi as runCgiScript } from '@tsgi/harness';
import { describe, expect, it } from 'vitest';
import { pool } from '../src/http.js';
import { profile, report, timeoutFor } from '../src/profile.js';

const SCRIPT = fileURLToPath(new URL('../fixtures/cgi-app.mjs', import.meta.url));
const STRESS_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Runs the fixture as a web server would: exactly `env` (plus PATH), `stdin`, a 15 s limit. */
function runCgi(env: Record<string, string>, stdin = '', raw: Record<string, string> = {}) {
  return runCgiScript(SCRIPT, env, stdin, {
    rawEnv: raw,
    cwd: STRESS_DIR,
    timeout: 15_000,
    maxStderr: 20_000,
  });
}

const BASE: Record<string, string> = {
  GATEWAY_INTERFACE: 'CGI/1.1',
  REQUEST_METHOD: 'GET',
  SCRIPT_NAME: '/cgi-bin/app',
  PATH_INFO: '/x',
  QUERY_STRING: '',
  SERVER_NAME: 'localhost',
  SERVER_PORT: '80',
  SERVER_PROTOCOL: 'HTTP/1.1',
  SERVER_SOFTWARE: 'stress',
  REMOTE_ADDR: '127.0.0.1',
};

/** A run ended well: a CGI response with a status, or the documented not-CGI exit. */
function wellDefined(r: CgiRun): boolean {
  if (r.signal !== null || r.code === 70 || r.code === null) return false;
  // An adapter-internal failure prints its stack after "tsgi cgi:" (and exits 70).
  if (/tsgi cgi: [A-Za-z]*Error/.test(r.stderr)) return false;
  return (r.status >= 200 && r.status < 600 && (r.code === 0 || r.code === 1)) || r.code === 2;
}

describe('CGI with a huge or malformed environment', () => {
  it(
    `ADP-CGI-01, ADP-CGI-03, SRV-10: ${profile.cgiVariables} variables of 1 KB plus five 100 KB values (≈1.5 MB, near ARG_MAX) give a complete 200`,
    async () => {
      const env: Record<string, string> = { ...BASE };
      for (let i = 0; i < profile.cgiVariables; i++)
        env[`HTTP_X_STRESS_${i}`] = `v${i}-${'a'.repeat(1000)}`;
      const big = 'b'.repeat(100_000);
      env.HTTP_COOKIE = `c=${big}`;
      env.HTTP_X_BIG_ONE = big;
      env.HTTP_X_BIG_TWO = big;
      env.QUERY_STRING = `q=${big}`;
      env.PATH_INFO = `/${'p'.repeat(100_000)}`;
      const r = await runCgi(env);
      const seen =
        r.status === 200 ? (JSON.parse(r.body.toString()) as Record<string, number>) : {};
      report('cgi-huge-environment', {
        variables: Object.keys(env).length,
        envBytes: Object.entries(env).reduce((a, [k, v]) => a + k.length + v.length + 2, 0),
        status: r.status,
        exit: String(r.code),
        httpVarsSeen: seen.httpVars ?? -1,
        ms: r.ms,
      });
      expect(r.status, r.stderr).toBe(200);
      expect(r.code).toBe(0);
      expect(seen.httpVars).toBe(profile.cgiVariables + 3);
      expect(seen.longest).toBeGreaterThanOrEqual(100_000);
      expect(seen.pathInfo).toBe(100_001);
    },
    timeoutFor(30_000, 60_000),
  );

  it('ADP-CGI-06: without REQUEST_METHOD the application is not run: a diagnostic on stderr, no output, exit 2', async () => {
    const { REQUEST_METHOD: _m, ...env } = BASE;
    const r = await runCgi(env);
    expect(r.code).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toMatch(/REQUEST_METHOD/);
    expect(r.stderr).not.toMatch(/stress-cgi-app: invoked/);
  });

  it(
    'ADP-CGI-01, ADP-CGI-02, IN-04: garbage CONTENT_LENGTH is dropped (the body is read to EOF); a CONTENT_LENGTH longer than stdin is a truncation (500); every run ends well',
    async () => {
      const garbage = ['abc', '-1', '1e3', ' 5', '5 ', '0x10', '+5', '5.0', '', '٥'];
      const runs = await pool(garbage.length, 2, (i) =>
        runCgi({ ...BASE, REQUEST_METHOD: 'POST', CONTENT_LENGTH: garbage[i]! }, 'hello'),
      );
      const wrong: string[] = [];
      runs.forEach((r, i) => {
        const seen =
          r.status === 200
            ? (JSON.parse(r.body.toString()) as { contentLength: string | null; body: number })
            : null;
        if (!wellDefined(r) || seen === null || seen.contentLength !== null || seen.body !== 5)
          wrong.push(
            `CONTENT_LENGTH ${JSON.stringify(garbage[i])}: status ${r.status} exit ${r.code} ${r.body.toString('latin1', 0, 80)}`,
          );
      });
      // Declared longer than what arrives: InputTruncatedError, the app rethrows: 500.
      for (const cl of ['100', '99999999999999999999']) {
        const r = await runCgi({ ...BASE, REQUEST_METHOD: 'POST', CONTENT_LENGTH: cl }, 'hello');
        if (r.status !== 500 || !wellDefined(r))
          wrong.push(`CONTENT_LENGTH ${cl}: status ${r.status} exit ${r.code}`);
      }
      report('cgi-content-length-garbage', { cases: garbage.length + 2, wrong: wrong.length });
      expect(wrong).toEqual([]);
    },
    timeoutFor(30_000, 60_000),
  );

  it(
    'ADP-CGI-05, ADP-CGI-15, ENV-06, SRV-10: malformed variables (controls, bad octets, bad ports and protocols) end in a well-defined response, never a crash',
    async () => {
      const cases: Array<[string, Record<string, string>, Record<string, string>?]> = [
        ['method with spaces', { REQUEST_METHOD: 'G E T' }],
        ['method with a control', { REQUEST_METHOD: 'GET\x01' }],
        ['empty method', { REQUEST_METHOD: '' }],
        ['garbage protocol', { SERVER_PROTOCOL: 'SPDY/9 \x7f' }],
        ['no SERVER_NAME/PORT/PROTOCOL', { SERVER_NAME: '', SERVER_PORT: '', SERVER_PROTOCOL: '' }],
        ['port not a number', { SERVER_PORT: 'eighty' }],
        ['REQUEST_URI with controls', { REQUEST_URI: '/a\x01b\x7f?x' }],
        ['PATH_INFO with bad escapes', { PATH_INFO: '/%zz/%/%e9%', REQUEST_URI: '/%zz/%/%e9%' }],
        ['QUERY_STRING with CR LF', { QUERY_STRING: 'a=1\r\nSet-Cookie: x=1' }],
        ['HTTP_HOST garbage', { HTTP_HOST: '[::1:99999:x', SERVER_NAME: '' }],
        ['HTTP_PROXY set (httpoxy)', { HTTP_PROXY: 'http://evil.invalid:1' }],
        ['non-UTF-8 PATH_INFO', {}, { PATH_INFO: '/caf\xe9/\xff\xfe' }],
        ['non-UTF-8 header', {}, { HTTP_X_RAW: '\xc3\x28\xa0\xa1' }],
        [
          'chunked without length from busybox',
          {
            SERVER_SOFTWARE: 'busybox httpd/1.35',
            HTTP_TRANSFER_ENCODING: 'chunked',
            REQUEST_METHOD: 'POST',
          },
        ],
      ];
      const runs = await pool(cases.length, 2, (i) => {
        const [, vars, raw] = cases[i]!;
        return runCgi({ ...BASE, ...vars }, '', raw ?? {});
      });
      const outcomes = runs.map((r, i) => `${cases[i]![0]}: ${r.status || `exit ${r.code}`}`);
      const wrong = runs
        .map((r, i) =>
          wellDefined(r)
            ? null
            : `${outcomes[i]} (exit ${r.code}, signal ${r.signal}) ${r.stderr.slice(0, 200)}`,
        )
        .filter((x) => x !== null);
      // A response is never split by CR/LF smuggled in through a variable.
      const injected = runs.filter((r) =>
        /\r\nSet-Cookie/i.test(r.stdout.toString('latin1')),
      ).length;
      report('cgi-malformed-environment', {
        cases: cases.length,
        wrong: wrong.length,
        injected,
        outcomes: outcomes.join('; '),
      });
      expect(wrong).toEqual([]);
      expect(injected).toBe(0);
    },
    timeoutFor(30_000, 60_000),
  );
});
