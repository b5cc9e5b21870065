/**
 * The CGI adapter under Bun and Deno (issue 18): the same fixture script run by each runtime, as
 * a web server would run it. Deno leaves variables that are not UTF-8 out of `process.env`, so
 * the adapter reads `/proc/self/environ` there (ADP-CGI-03): a PATH_INFO holding 0xE9 used to
 * route silently to `/`.
 */

import { runCgi as runCgiWith } from '@tsgi/harness';
import { type RuntimeName, requireRuntime } from '@tsgi/harness/runtimes';
import { describe, expect, test } from 'vitest';
import { CGI_SCRIPT, echo, units } from './_helpers.js';

const GET = { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/cgi-bin/app', SERVER_PROTOCOL: 'HTTP/1.1' };

for (const runtime of ['bun', 'deno'] as RuntimeName[]) {
  const binary = requireRuntime(runtime, `CGI under ${runtime}`);
  const interpreter = runtime === 'deno' ? [binary ?? 'deno', 'run', '-A'] : [binary ?? 'bun'];
  describe.skipIf(binary === undefined)(`CGI under ${runtime}`, () => {
    test('ADP-CGI-03 ENV-06: a non-UTF-8 octet (0xE9) in PATH_INFO and invalid UTF-8 reach environ octet for octet', async () => {
      const octets = 'a\x80b\xc0\xafc\xed\xa0\x80d\xff\xfee\xef\xbf\xbdf\xe9';
      const r = await runCgiWith(CGI_SCRIPT, { ...GET, REQUEST_URI: '/cgi-bin/app/caf%E9' }, '', {
        rawEnv: { PATH_INFO: '/caf\xe9', X_OCTETS: octets },
        interpreter,
      });
      expect(r.status, r.stderr).toBe(200);
      const e = echo(r.body).environ;
      expect(units(e.PATH_INFO)).toEqual([0x2f, 0x63, 0x61, 0x66, 0xe9]);
      expect(units(e.X_OCTETS)).toEqual(units(octets));
      expect(e['tsgi.run_once']).toBe(true);
    });

    test('ADP-CGI-04 ENV-27: HTTP_PROXY is neither in environ nor in process.env, even when not UTF-8', async () => {
      const r = await runCgiWith(CGI_SCRIPT, GET, '', {
        rawEnv: { HTTP_PROXY: 'http://evil\xe9.test:1' },
        interpreter,
      });
      const j = echo(r.body);
      expect('HTTP_PROXY' in j.environ).toBe(false);
      expect(j.processEnvHttpProxy).toBe(null);
    });
  });
}
