/**
 * In-process tests of the adapter's pieces: head formatting, body length rules, server-quirk
 * repairs, reading the environment, and `runCGI` over injected streams (backpressure).
 */
import { PassThrough, Writable } from 'node:stream';
import { bodyFraming, formatHead, isNphScript, readCgiVariables, runCGI } from '@tsgi/cgi';
import type { Application } from '@tsgi/core';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';

describe('formatHead', () => {
  const cgi = { nph: false, protocol: 'HTTP/1.1' };

  test('ADP-CGI-02: Status first, then the final headers in order, CRLF', () => {
    const headers = [
      ['content-type', 'text/plain'],
      ['content-length', '3'],
    ] as const;
    expect(formatHead('404 Not Found', headers, 'whole', cgi)).toEqual({
      text: 'Status: 404 Not Found\r\ncontent-type: text/plain\r\ncontent-length: 3\r\n\r\n',
      chunked: false,
    });
  });

  test('BODY-10: the sink adds no content-length of its own (the engine decides)', () => {
    expect(formatHead('204 No Content', [], 'none', cgi).text).toBe(
      'Status: 204 No Content\r\n\r\n',
    );
    expect(formatHead('200 OK', [], 'none', cgi).text).toBe('Status: 200 OK\r\n\r\n');
    expect(formatHead('200 OK', [], 'open', cgi).text).toBe('Status: 200 OK\r\n\r\n');
  });

  test('ADP-CGI-08: NPH frames chunked on HTTP/1.1 when the length is unknown, close-delimited on 1.0', () => {
    const nph = { nph: true, protocol: 'HTTP/1.1' };
    const h11 = formatHead('200 OK', [['date', 'x']], 'open', nph);
    expect(h11).toEqual({
      text: 'HTTP/1.1 200 OK\r\ndate: x\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n',
      chunked: true,
    });
    const h10 = formatHead('200 OK', [['date', 'x']], 'open', { ...nph, protocol: 'HTTP/1.0' });
    expect(h10).toEqual({
      text: 'HTTP/1.0 200 OK\r\ndate: x\r\nconnection: close\r\n\r\n',
      chunked: false,
    });
    // HEAD, 204, 304: no body follows; a declared length frames the body itself.
    expect(formatHead('200 OK', [['date', 'x']], 'none', nph).chunked).toBe(false);
    expect(formatHead('200 OK', [['date', 'x']], 'length', nph).chunked).toBe(false);
  });
});

describe('bodyFraming and isNphScript', () => {
  test('ADP-CGI-02 IN-03 SRV-05: CONTENT_LENGTH when it is digits, else read to the end', () => {
    expect(bodyFraming({ CONTENT_LENGTH: '12' }, undefined)).toEqual({
      kind: 'length',
      length: 12,
    });
    expect(bodyFraming({ CONTENT_LENGTH: '0' }, undefined)).toEqual({ kind: 'none' });
    const chunked = { CONTENT_LENGTH: '', HTTP_TRANSFER_ENCODING: 'chunked' };
    expect(bodyFraming(chunked, undefined)).toEqual({ kind: 'stream', limit: undefined });
    expect(bodyFraming({ CONTENT_LENGTH: '-1' }, 5)).toEqual({ kind: 'stream', limit: 5 });
    expect(bodyFraming({}, undefined)).toEqual({ kind: 'stream', limit: undefined });
    expect(bodyFraming({ CONTENT_LENGTH: '6' }, 5)).toEqual({
      kind: 'refuse',
      status: 413,
      length: 6,
    });
  });

  test('ADP-CGI-08: nph- by the basename of SCRIPT_FILENAME, else of SCRIPT_NAME', () => {
    expect(isNphScript({ SCRIPT_FILENAME: '/srv/cgi-bin/nph-x', SCRIPT_NAME: '/x' })).toBe(true);
    expect(isNphScript({ SCRIPT_NAME: '/cgi-bin/nph-x' })).toBe(true);
    expect(isNphScript({ SCRIPT_NAME: '/nph-dir/x' })).toBe(false);
    expect(isNphScript({ SCRIPT_FILENAME: '/srv/nph-dir/x', SCRIPT_NAME: '/cgi-bin/nph-x' })).toBe(
      false,
    );
  });
});

describe('readCgiVariables', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  });

  test('ADP-CGI-03 ENV-06: values are byte strings; a variable set after start-up is UTF-8 encoded', async () => {
    process.env.TSGI_TEST_VALUE = 'caf\u00e9';
    const vars = await readCgiVariables();
    expect(vars.TSGI_TEST_VALUE).toBe('caf\u00c3\u00a9');
    expect(vars.PATH).toBe(process.env.PATH);
  });

  test('ADP-CGI-04 ENV-27: a variable deleted from process.env is not read back from /proc/self/environ', async () => {
    process.env.TSGI_TEST_LOSSY = '\ufffd'; // forces the /proc path
    delete process.env.HOME;
    const vars = await readCgiVariables();
    expect('HOME' in vars).toBe(false);
    process.env.HOME = saved.HOME;
  });
});

describe('runCGI over injected streams', () => {
  let exitCode: typeof process.exitCode;
  beforeEach(() => {
    exitCode = process.exitCode;
  });
  afterEach(() => {
    process.exitCode = exitCode;
  });

  test('ADP-CGI-02 BODY-02: each chunk is written before the next is asked for; a slow stdout slows the app', async () => {
    const got: Buffer[] = [];
    const out = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _enc, cb) {
        got.push(chunk);
        setTimeout(cb, 1);
      },
    });
    let inFlight = 0;
    let maxInFlight = 0;
    const app: Application = (_environ, startResponse) => {
      startResponse('200 OK', [['content-type', 'text/plain']]);
      return (async function* () {
        for (let i = 0; i < 20; i++) {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          yield new TextEncoder().encode(`${String(i).padStart(2, '0')}:${'x'.repeat(30)}\n`);
          inFlight--;
        }
      })();
    };
    await runCGI(app, { env: { REQUEST_METHOD: 'GET' }, stdout: out });
    const text = Buffer.concat(got).toString('latin1');
    expect(text.startsWith('Status: 200 OK\r\ncontent-type: text/plain\r\n\r\n00:')).toBe(true);
    expect(
      text
        .split('\n')
        .filter((l) => /^\d\d:/.test(l))
        .map((l) => l.slice(0, 2)),
    ).toEqual(Array.from({ length: 20 }, (_, i) => String(i).padStart(2, '0')));
    expect(maxInFlight).toBe(1);
    expect(process.exitCode).toBe(0);
  });

  test('ADP-CGI-18, WS-01: tsgix.websocket is absent, even on a WebSocket handshake', async () => {
    const out = new PassThrough();
    const app: Application = (environ, startResponse) => {
      startResponse('200 OK', []);
      return [new TextEncoder().encode(String('tsgix.websocket' in environ))];
    };
    await runCGI(app, {
      env: {
        REQUEST_METHOD: 'GET',
        SERVER_PROTOCOL: 'HTTP/1.1',
        HTTP_UPGRADE: 'websocket',
        HTTP_CONNECTION: 'Upgrade',
        HTTP_SEC_WEBSOCKET_KEY: 'dGhlIHNhbXBsZSBub25jZQ==',
        HTTP_SEC_WEBSOCKET_VERSION: '13',
      },
      stdin: new PassThrough(),
      stdout: out,
    });
    expect(out.read().toString()).toMatch(/\r\n\r\nfalse$/);
  });

  test('IN-01 IN-06: stdin is opened only on the first read; cancel stops reading', async () => {
    const stdin = new PassThrough();
    let opened = false;
    stdin.on('resume', () => {
      opened = true;
    });
    const out = new PassThrough();
    const app: Application = async (environ, startResponse) => {
      const first = await environ['tsgi.input'].read(4);
      environ['tsgi.input'].cancel();
      startResponse('200 OK', []);
      return [first];
    };
    stdin.write('abcdefgh');
    const done = runCGI(app, {
      env: { REQUEST_METHOD: 'POST', CONTENT_LENGTH: '100' },
      stdin,
      stdout: out,
    });
    await done;
    expect(opened).toBe(true);
    expect(out.read().toString()).toBe('Status: 200 OK\r\ncontent-length: 4\r\n\r\nabcd');
    expect(stdin.destroyed).toBe(true);
  });

  test('ADP-CGI-10 ERR-04: a broken stdout aborts tsgi.signal and ends with exit code 1', async () => {
    const out = new Writable({
      write(_chunk, _enc, cb) {
        cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    let signal: AbortSignal | undefined;
    let released = false;
    const app: Application = (environ, startResponse) => {
      signal = environ['tsgi.signal'];
      startResponse('200 OK', []);
      return (async function* () {
        try {
          for (let i = 0; i < 50; i++) {
            yield new Uint8Array(1024);
            await new Promise((r) => setImmediate(r));
          }
        } finally {
          released = true; // BODY-05: return() on the disconnect
        }
      })();
    };
    await runCGI(app, { env: { REQUEST_METHOD: 'GET' }, stdout: out, stderr: new PassThrough() });
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toMatchObject({ name: 'ClientDisconnectError' });
    expect(released).toBe(true);
    expect(process.exitCode).toBe(1);
  });
});
