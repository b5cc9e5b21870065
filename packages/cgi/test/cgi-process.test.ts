/**
 * `runCGI` as a real child process with a synthetic CGI environment and stdin, checking the
 * exact bytes on stdout (the HTTP::Request::AsCGI approach, CONF-04).
 */
import { spawn } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { bigBody, CGI_SCRIPT, DIRECT_SCRIPT, echo, FIXTURES, runCgi, units } from './_helpers.js';

const GET = { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/cgi-bin/app', SERVER_PROTOCOL: 'HTTP/1.1' };

describe('response bytes', () => {
  test('ADP-CGI-02 SR-03: Status line first, CRLF header lines, repeats kept, latin-1 bytes, blank line, body', async () => {
    const r = await runCgi(CGI_SCRIPT, { ...GET, HTTP_X_CASE: 'headers' });
    expect(r.stdout.toString('latin1')).toBe(
      'Status: 201 Created\r\n' +
        'content-type: text/plain\r\n' +
        'set-cookie: a=1\r\n' +
        'set-cookie: b=2\r\n' +
        'x-bytes: caf\xe9\r\n' +
        'content-length: 6\r\n' +
        '\r\n' +
        'onetwo',
    );
    expect(r.code).toBe(0);
  });

  test('ADP-CGI-02 BODY-02: a streamed 1 MiB body arrives whole, without an invented content-length', async () => {
    const r = await runCgi(CGI_SCRIPT, { ...GET, HTTP_X_CASE: 'stream' });
    expect(r.head).toBe('Status: 200 OK\r\ncontent-type: application/octet-stream\r\n');
    expect(r.body.equals(bigBody())).toBe(true);
    expect(r.code).toBe(0);
  });

  test('BODY-12: HEAD sends the headers only; the server adds no content-length, even for an Array body', async () => {
    const array = await runCgi(CGI_SCRIPT, { ...GET, REQUEST_METHOD: 'HEAD' });
    const get = await runCgi(CGI_SCRIPT, {
      ...GET,
      REQUEST_METHOD: 'HEAD',
      HTTP_X_CASE: 'headers',
    });
    expect(array.stdout.toString('latin1')).toBe(
      'Status: 200 OK\r\ncontent-type: application/json\r\n\r\n',
    );
    expect(get.stdout.toString('latin1')).toBe(
      'Status: 201 Created\r\ncontent-type: text/plain\r\nset-cookie: a=1\r\nset-cookie: b=2\r\nx-bytes: caf\xe9\r\n\r\n',
    );
    const stream = await runCgi(CGI_SCRIPT, {
      ...GET,
      REQUEST_METHOD: 'HEAD',
      HTTP_X_CASE: 'stream',
    });
    expect(stream.stdout.toString('latin1')).toBe(
      'Status: 200 OK\r\ncontent-type: application/octet-stream\r\n\r\n',
    );
  });

  test('ADP-CGI-08 SR-12: an nph- script writes an HTTP status line, date and connection: close', async () => {
    const r = await runCgi(CGI_SCRIPT, {
      ...GET,
      SCRIPT_NAME: '/cgi-bin/nph-app',
      HTTP_X_CASE: 'headers',
    });
    const text = r.stdout.toString('latin1');
    expect(text.startsWith('HTTP/1.1 201 Created\r\ncontent-type: text/plain\r\n')).toBe(true);
    expect(text).toMatch(
      /\r\ncontent-length: 6\r\ndate: [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} [\d:]{8} GMT\r\nconnection: close\r\n\r\nonetwo$/,
    );
  });

  test('ADP-CGI-08 ERR-03: nph- over HTTP/1.1 streams chunked, so an error after the headers leaves out the last chunk', async () => {
    const env = { ...GET, SCRIPT_NAME: '/cgi-bin/x', SCRIPT_FILENAME: '/srv/cgi-bin/nph-x' };
    const ok = await runCgi(CGI_SCRIPT, { ...env, HTTP_X_CASE: 'stream' });
    expect(ok.head).toContain('\r\ntransfer-encoding: chunked\r\n');
    expect(ok.stdout.subarray(-5).toString('latin1')).toBe('0\r\n\r\n');
    const bad = await runCgi(CGI_SCRIPT, { ...env, HTTP_X_CASE: 'throw-late' });
    expect(bad.body.toString('latin1')).toBe('7\r\npartial\r\n');
    expect(bad.code).toBe(1);
  });

  test('ADP-CGI-08: an nph- script answering HTTP/1.0 is delimited by close, not chunked', async () => {
    const r = await runCgi(CGI_SCRIPT, {
      ...GET,
      SERVER_PROTOCOL: 'HTTP/1.0',
      SCRIPT_NAME: '/cgi-bin/nph-app',
      HTTP_X_CASE: 'stream',
    });
    expect(r.head.startsWith('HTTP/1.0 200 OK\r\n')).toBe(true);
    expect(r.head).not.toContain('transfer-encoding');
    expect(r.body.equals(bigBody())).toBe(true);
  });
});

describe('errors', () => {
  test('ADP-CGI-09 ERR-01 ERR-02: a throwing app gets a generic 500 on stdout; the stack goes to stderr only', async () => {
    const r = await runCgi(CGI_SCRIPT, { ...GET, HTTP_X_CASE: 'throw' });
    expect(r.stdout.toString('latin1')).toBe(
      'Status: 500 Internal Server Error\r\n' +
        'content-type: text/plain; charset=utf-8\r\n' +
        'content-length: 22\r\n' +
        '\r\n' +
        'Internal Server Error\n',
    );
    expect(r.stderr).toContain('fixture failure before headers');
    expect(r.stderr).toMatch(/\n\s+at .*app\.mjs/);
    expect(r.code).toBe(0);
  });

  test('ADP-CGI-09 ERR-03: an error after the headers stops the output and exits non-zero', async () => {
    const r = await runCgi(CGI_SCRIPT, { ...GET, HTTP_X_CASE: 'throw-late' });
    expect(r.stdout.toString('latin1')).toBe(
      'Status: 200 OK\r\ncontent-type: application/octet-stream\r\n\r\npartial',
    );
    expect(r.stderr).toContain('fixture failure after headers');
    expect(r.code).toBe(1);
  });

  test('ADP-CGI-09 ERR-02: an app module that fails to load is a 500 too (runCGIModule)', async () => {
    const r = await runCgi(`${FIXTURES}missing-app.mjs`, GET);
    expect(r.head.split('\r\n')[0]).toBe('Status: 500 Internal Server Error');
    expect(r.body.toString()).toBe('Internal Server Error\n');
    expect(r.stderr).toContain('does-not-exist.mjs');
  });
});

describe('environ', () => {
  test('ADP-CGI-01 ADP-CGI-05 ADP-CGI-13 ENV-04 ENV-05 ENV-22: normalised from the process environment; run_once, multiprocess, not multithread', async () => {
    const r = await runCgi(CGI_SCRIPT, {
      REQUEST_METHOD: 'GET',
      SCRIPT_NAME: '/',
      QUERY_STRING: 'a=1&b=%20',
      HTTP_HOST: 'example.test:8080',
      HTTPS: 'on',
      CONTENT_LENGTH: '',
      CONTENT_TYPE: '',
      HTTP_CONTENT_LENGTH: '5',
      GATEWAY_INTERFACE: 'CGI/1.1',
    });
    const e = echo(r.body).environ;
    expect(e.SCRIPT_NAME).toBe('');
    expect(e.PATH_INFO).toBe('/');
    expect(e.QUERY_STRING).toBe('a=1&b=%20');
    expect(e.REQUEST_URI).toBe('/?a=1&b=%20');
    expect(e.SERVER_NAME).toBe('example.test');
    expect(e.SERVER_PORT).toBe('8080');
    expect(e['tsgi.url_scheme']).toBe('https');
    expect(e['tsgi.run_once']).toBe(true);
    expect(e['tsgi.multiprocess']).toBe(true);
    expect(e['tsgi.multithread']).toBe(false);
    expect(e['tsgi.version']).toEqual([1, 1]);
    expect(e.GATEWAY_INTERFACE).toBe('CGI/1.1');
    expect('CONTENT_LENGTH' in e).toBe(false);
    expect('CONTENT_TYPE' in e).toBe(false);
    expect('HTTP_CONTENT_LENGTH' in e).toBe(false);
  });

  test('ADP-CGI-03 ENV-06: a non-UTF-8 octet (0xE9) in PATH_INFO reaches environ as one code unit, via /proc/self/environ', async () => {
    const r = await runCgi(CGI_SCRIPT, { ...GET, REQUEST_URI: '/cgi-bin/app/caf%E9' }, '', {
      PATH_INFO: '/caf\xe9',
    });
    const e = echo(r.body).environ;
    expect(units(e.PATH_INFO)).toEqual([0x2f, 0x63, 0x61, 0x66, 0xe9]);
    expect(e.REQUEST_URI).toBe('/cgi-bin/app/caf%E9');
  });

  test('ADP-CGI-03: invalid UTF-8 (lone continuation, overlong, surrogate, 0xFF, and a real U+FFFD) is kept octet for octet', async () => {
    const octets = 'a\x80b\xc0\xafc\xed\xa0\x80d\xff\xfee\xef\xbf\xbdf\xe9';
    const r = await runCgi(CGI_SCRIPT, GET, '', { X_OCTETS: octets });
    expect(units(echo(r.body).environ.X_OCTETS)).toEqual(units(octets));
  });

  test('ADP-CGI-03 ENV-06: UTF-8 octets stay byte strings (é is two code units)', async () => {
    const r = await runCgi(CGI_SCRIPT, { ...GET, PATH_INFO: '/café' });
    expect(units(echo(r.body).environ.PATH_INFO)).toEqual([0x2f, 0x63, 0x61, 0x66, 0xc3, 0xa9]);
  });

  test("ADP-CGI-04 ENV-27: HTTP_PROXY is neither in environ nor in process.env, even at the app module's import (runCGIModule)", async () => {
    const r = await runCgi(CGI_SCRIPT, {
      ...GET,
      HTTP_PROXY: 'http://evil.test:1',
      http_proxy: 'http://operator.test:3128',
    });
    const j = echo(r.body);
    expect('HTTP_PROXY' in j.environ).toBe(false);
    expect(j.processEnvHttpProxy).toBe(null);
    expect(j.proxyAtImport).toBe(null);
    // The operator's lower-case setting cannot come from a request header and is kept.
    expect(j.environ.http_proxy).toBe('http://operator.test:3128');
  });

  test('ADP-CGI-04 ENV-27: with a static import the app module runs first and sees HTTP_PROXY; runCGI still removes it before the request', async () => {
    const r = await runCgi(DIRECT_SCRIPT, { ...GET, HTTP_PROXY: 'http://evil.test:1' });
    const j = echo(r.body);
    expect(j.proxyAtImport).toBe('http://evil.test:1');
    expect(j.processEnvHttpProxy).toBe(null);
    expect('HTTP_PROXY' in j.environ).toBe(false);
  });

  test('ADP-CGI-15 ENV-07: a REQUEST_URI holding decoded octets (busybox httpd) is rebuilt from SCRIPT_NAME, PATH_INFO and QUERY_STRING', async () => {
    const r = await runCgi(CGI_SCRIPT, {
      ...GET,
      SERVER_SOFTWARE: 'busybox httpd/1.35.0',
      PATH_INFO: '/p i',
      QUERY_STRING: 'x=%20',
      REQUEST_URI: '/cgi-bin/app/p i?x=%20',
    });
    expect(echo(r.body).environ.REQUEST_URI).toBe('/cgi-bin/app/p%20i?x=%20');
  });
});

describe('request body', () => {
  const POST = { ...GET, REQUEST_METHOD: 'POST' };

  test('ADP-CGI-02 IN-01: stdin up to CONTENT_LENGTH', async () => {
    const r = await runCgi(CGI_SCRIPT, { ...POST, CONTENT_LENGTH: '11' }, 'hello world');
    const j = echo(r.body);
    expect(j.body).toBe('hello world');
    expect(j.environ.CONTENT_LENGTH).toBe('11');
  });

  test('ADP-CGI-02 IN-03: never more than CONTENT_LENGTH, even when stdin has more', async () => {
    const r = await runCgi(CGI_SCRIPT, { ...POST, CONTENT_LENGTH: '5' }, 'hello world');
    expect(echo(r.body).body).toBe('hello');
  });

  test('ADP-CGI-02 IN-04: stdin shorter than CONTENT_LENGTH makes the read reject with InputTruncatedError', async () => {
    const r = await runCgi(
      CGI_SCRIPT,
      { ...POST, CONTENT_LENGTH: '100', HTTP_X_CASE: 'read-error' },
      'only 18 bytes here',
    );
    expect(JSON.parse(r.body.toString())).toEqual({
      error: {
        name: 'InputTruncatedError',
        code: 'TSGI_INPUT_TRUNCATED',
        message: 'request body truncated: got 18 of 100 bytes (IN-04)',
      },
    });
  });

  test('ADP-CGI-02 IN-02 (Apache mod_cgid): no CONTENT_LENGTH but HTTP_TRANSFER_ENCODING set: stdin is read to EOF', async () => {
    const r = await runCgi(
      CGI_SCRIPT,
      { ...POST, HTTP_TRANSFER_ENCODING: 'chunked' },
      'de-chunked by the server',
    );
    const j = echo(r.body);
    expect(j.body).toBe('de-chunked by the server');
    expect('CONTENT_LENGTH' in j.environ).toBe(false);
  });

  test('ADP-CGI-02: without CONTENT_LENGTH stdin is read to its end', async () => {
    const r = await runCgi(CGI_SCRIPT, GET, 'bytes with no length');
    const j = echo(r.body);
    expect(j.body).toBe('bytes with no length');
    expect('CONTENT_LENGTH' in j.environ).toBe(false);
  });

  test('ADP-CGI-14: busybox httpd did not forward a PUT body (HTTP_CONTENT_LENGTH only): 501, app not called', async () => {
    const r = await runCgi(
      CGI_SCRIPT,
      {
        ...GET,
        REQUEST_METHOD: 'PUT',
        SERVER_SOFTWARE: 'busybox httpd/1.35.0',
        HTTP_CONTENT_LENGTH: '9',
      },
      'partial',
    );
    expect(r.head.split('\r\n')[0]).toBe('Status: 501 Not Implemented');
  });

  test('IN-01 BODY-02: a 1 MiB body through the 64 KiB backpressure window arrives intact', async () => {
    const big = bigBody();
    const r = await runCgi(CGI_SCRIPT, { ...POST, CONTENT_LENGTH: String(big.length) }, big);
    const j = echo(r.body);
    expect(j.bodyLength).toBe(big.length);
    expect(j.bodySum).toBe(big.reduce((a, b) => (a + b) % 65521, 0));
  });

  test('ADP-CGI-14 IN-02 SRV-02: busybox httpd passes a chunked body raw, so the request gets 411 without calling the app', async () => {
    const r = await runCgi(
      CGI_SCRIPT,
      { ...POST, SERVER_SOFTWARE: 'busybox httpd/1.35.0', HTTP_TRANSFER_ENCODING: 'chunked' },
      '5\r\nhello\r\n0\r\n\r\n',
    );
    expect(r.head).toBe(
      'Status: 411 Length Required\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 20\r\n',
    );
    expect(r.body.toString('latin1')).toBe('411 Length Required\n');
    expect(r.stderr).toContain('411');
  });
});

describe('process', () => {
  test('ADP-CGI-06: without REQUEST_METHOD the app is not run (nor imported); a diagnostic and a non-zero exit', async () => {
    const r = await runCgi(CGI_SCRIPT, { SCRIPT_NAME: '/cgi-bin/app' });
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toContain('REQUEST_METHOD is not set');
    expect(r.code).toBe(2);
  });

  test('ADP-CGI-12: command-line arguments (an ISINDEX query) are ignored', async () => {
    const r = await runCgi(CGI_SCRIPT, { ...GET, QUERY_STRING: 'foo+bar' }, '', {}, ['foo', 'bar']);
    const e = echo(r.body).environ;
    expect(e.QUERY_STRING).toBe('foo+bar');
    expect(e.PATH_INFO).toBe('');
    expect(r.code).toBe(0);
  });

  test('ADP-CGI-11: the response ends (stdout EOF) while the app keeps the process alive', async () => {
    const child = spawn(process.execPath, [CGI_SCRIPT], {
      env: { PATH: '/usr/bin:/bin', ...GET, HTTP_X_CASE: 'linger' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise((resolve) => child.stdout.once('end', resolve));
    // stdout reached EOF, and the process (a 60 s timer in the app) is still running.
    expect(child.exitCode).toBe(null);
    expect(Buffer.concat(out).toString('latin1')).toBe(
      'Status: 200 OK\r\ncontent-length: 5\r\n\r\nbye!\n',
    );
    child.kill('SIGKILL');
    await exited;
  });

  for (const how of ['SIGTERM', 'stdout closed'] as const) {
    test(`ADP-CGI-10 ERR-04 BODY-05: ${how} aborts tsgi.signal, the body is released, exit status 1`, async () => {
      const child = spawn(process.execPath, [CGI_SCRIPT], {
        env: { PATH: '/usr/bin:/bin', ...GET, HTTP_X_CASE: 'endless' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      const exited = new Promise<number | null>((resolve) =>
        child.once('exit', (code) => resolve(code)),
      );
      await new Promise((resolve) => child.stdout.once('data', resolve));
      if (how === 'SIGTERM') child.kill('SIGTERM');
      else child.stdout.destroy();
      expect(await exited).toBe(1);
      expect(err).toContain('released, signal aborted: true');
    });
  }
});
