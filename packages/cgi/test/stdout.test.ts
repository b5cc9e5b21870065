/**
 * ADP-CGI-16: the first 4096 bytes of a response go to file descriptor 1 by `writeSync`, so a
 * small response never builds `process.stdout` (a net.Socket: about 1 ms of start-up); the rest
 * goes through `process.stdout`, after those bytes and in order.
 */
import { spawn } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { FIXTURES, runCgi } from './_helpers.js';

const PROBE = `${FIXTURES}stdout-probe.mjs`;
const GET = { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/cgi-bin/probe', SERVER_PROTOCOL: 'HTTP/1.1' };
const NPH = { ...GET, SCRIPT_NAME: '/cgi-bin/nph-probe' };

const body = (sizes: number[]): string =>
  sizes.map((n, i) => String.fromCharCode(97 + i).repeat(n)).join('');

async function probe(env: Record<string, string>, sizes: number[]) {
  const r = await runCgi(PROBE, { ...env, HTTP_X_SIZES: sizes.join(',') });
  expect(r.code, r.stderr).toBe(0);
  return { ...r, built: (JSON.parse(r.stderr) as { built: boolean }).built };
}

describe('ADP-CGI-16: standard output', () => {
  test('a response within 4096 bytes is written without building process.stdout', async () => {
    const r = await probe(GET, [14]);
    expect(r.head).toBe('Status: 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 14\r\n');
    expect(r.body.toString('latin1')).toBe(body([14]));
    expect(r.built).toBe(false);
  });

  test('past 4096 bytes the rest goes through process.stdout, in order', async () => {
    const sizes = [100, 4000, 300_000, 7];
    const r = await probe(GET, sizes);
    expect(r.head).toContain('content-length: 304107');
    expect(r.body.length).toBe(304_107);
    expect(r.body.toString('latin1') === body(sizes)).toBe(true);
    expect(r.built).toBe(true);
  });

  test('NPH chunked framing stays whole across the switch', async () => {
    const sizes = [10, 5000, 3];
    const r = await probe({ ...NPH, HTTP_X_STREAM: '1' }, sizes);
    expect(r.head).toContain('transfer-encoding: chunked');
    const hex = (n: number): string => n.toString(16);
    const framed = sizes
      .map((n, i) => `${hex(n)}\r\n${String.fromCharCode(97 + i).repeat(n)}\r\n`)
      .join('');
    expect(r.body.toString('latin1')).toBe(`${framed}0\r\n\r\n`);
    expect(r.built).toBe(true);
    const small = await probe({ ...NPH, HTTP_X_STREAM: '1' }, [10]);
    expect(small.body.toString('latin1')).toBe(`a\r\n${'a'.repeat(10)}\r\n0\r\n\r\n`);
    expect(small.built).toBe(false);
  });

  test('ERR-04: stdout closed before the first write: EPIPE ends the request, exit status 1', async () => {
    const child = spawn(process.execPath, [PROBE], {
      env: { PATH: '/usr/bin:/bin', ...GET, HTTP_X_SIZES: '14' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy(); // the read end closes before the process writes
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(JSON.parse(err)).toEqual({ built: false });
  });
});
