/**
 * One CGI response head for CGI and FastCGI (issue 17): both sinks write core's `formatCgiHead`
 * and the engine alone decides `content-length` (BODY-10, BODY-25), so for the same application
 * and request `@tsgi/cgi` on standard output and `@tsgi/fastcgi` on FCGI_STDOUT produce the same
 * head bytes, HEAD requests included (the two sinks used to disagree on HEAD).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runCGI } from '@tsgi/cgi';
import { type Application, formatCgiHead, parseCgiResponse } from '@tsgi/core';
import { FastCGIClient, serveFastCGI } from '@tsgi/fastcgi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const enc = new TextEncoder();

const apps: Record<string, Application> = {
  // 'whole': the engine adds content-length, except on HEAD.
  array: (_e, start) => {
    start('200 OK', [
      ['content-type', 'text/plain'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['x-bytes', 'caf\xe9\xa0'],
    ]);
    return [enc.encode('hello\n')];
  },
  // 'length': the application's content-length, the body over time.
  declared: (_e, start) => {
    start('200 OK', [['content-length', '6']]);
    return (async function* () {
      yield enc.encode('hel');
      yield enc.encode('lo\n');
    })();
  },
  // 'open': no content-length; the front end frames the body.
  open: (_e, start) => {
    start('200 OK', [['content-type', 'text/plain']]);
    return (async function* () {
      yield enc.encode('streamed\n');
    })();
  },
  noContent: (_e, start) => {
    start('204 No Content', [['x-a', 'b']]);
    return [];
  },
  resetContent: (_e, start) => {
    start('205 Reset Content', []);
    return [];
  },
  notModified: (_e, start) => {
    start('304 Not Modified', [
      ['etag', '"x"'],
      ['content-length', '42'],
    ]);
    return [];
  },
  // ERR-02: the engine's own 500 keeps its content-length on HEAD (BODY-25).
  throws: () => {
    throw new Error('boom');
  },
};

const vars = (method: string): Record<string, string> => ({
  REQUEST_METHOD: method,
  SCRIPT_NAME: '',
  PATH_INFO: '/',
  REQUEST_URI: '/',
  QUERY_STRING: '',
  SERVER_PROTOCOL: 'HTTP/1.1',
  SERVER_NAME: 'x',
  SERVER_PORT: '80',
  REMOTE_ADDR: '127.0.0.1',
  HTTP_HOST: 'x',
});

/** The head of a CGI response's bytes, as a byte string. */
function headOf(stdout: Uint8Array): string {
  const { body } = parseCgiResponse(stdout);
  return Buffer.from(stdout.subarray(0, stdout.length - body.length)).toString('latin1');
}

async function viaCgi(app: Application, method: string): Promise<string> {
  const got: Buffer[] = [];
  const stdout = new Writable({
    write(chunk: Buffer, _enc, cb) {
      got.push(chunk);
      cb();
    },
  });
  const stderr = new Writable({ write: (_c, _e, cb) => cb() });
  const exitCode = process.exitCode;
  try {
    await runCGI(app, { env: vars(method), nph: false, stdout, stderr });
  } finally {
    process.exitCode = exitCode;
  }
  return headOf(Buffer.concat(got));
}

let dir = '';
const servers = new Map<string, { path: string; close(): Promise<void> }>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tsgi-head-'));
  for (const [name, app] of Object.entries(apps)) {
    const path = join(dir, `${name}.sock`);
    const server = await serveFastCGI(app, { path, errors: () => {} });
    servers.set(name, { path, close: () => server.close({ timeout: 100 }) });
  }
});

afterAll(async () => {
  for (const s of servers.values()) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function viaFastCgi(name: string, method: string): Promise<string> {
  const client = await FastCGIClient.connect({ path: servers.get(name)!.path });
  try {
    const res = await client.request({ params: vars(method) });
    expect(res.complete).toBe(true);
    return headOf(res.stdout);
  } finally {
    client.destroy();
  }
}

/** What both must write: Status, then the engine's final headers. */
const expected: Record<string, Record<'GET' | 'HEAD', string>> = {
  array: {
    GET: formatCgiHead('200 OK', [
      ['content-type', 'text/plain'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['x-bytes', 'caf\xe9\xa0'],
      ['content-length', '6'],
    ]),
    HEAD: formatCgiHead('200 OK', [
      ['content-type', 'text/plain'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['x-bytes', 'caf\xe9\xa0'],
    ]),
  },
  declared: {
    GET: 'Status: 200 OK\r\ncontent-length: 6\r\n\r\n',
    HEAD: 'Status: 200 OK\r\ncontent-length: 6\r\n\r\n',
  },
  open: {
    GET: 'Status: 200 OK\r\ncontent-type: text/plain\r\n\r\n',
    HEAD: 'Status: 200 OK\r\ncontent-type: text/plain\r\n\r\n',
  },
  noContent: {
    GET: 'Status: 204 No Content\r\nx-a: b\r\n\r\n',
    HEAD: 'Status: 204 No Content\r\nx-a: b\r\n\r\n',
  },
  resetContent: {
    GET: 'Status: 205 Reset Content\r\ncontent-length: 0\r\n\r\n',
    HEAD: 'Status: 205 Reset Content\r\n\r\n',
  },
  notModified: {
    GET: 'Status: 304 Not Modified\r\netag: "x"\r\ncontent-length: 42\r\n\r\n',
    HEAD: 'Status: 304 Not Modified\r\netag: "x"\r\ncontent-length: 42\r\n\r\n',
  },
  throws: {
    GET: 'Status: 500 Internal Server Error\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 22\r\n\r\n',
    HEAD: 'Status: 500 Internal Server Error\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 22\r\n\r\n',
  },
};

describe('ADP-CGI-02 ADP-FCGI-15: the same head bytes from @tsgi/cgi and @tsgi/fastcgi', () => {
  for (const name of Object.keys(apps)) {
    for (const method of ['GET', 'HEAD'] as const) {
      it(`${name}, ${method}`, async () => {
        const cgi = await viaCgi(apps[name]!, method);
        const fcgi = await viaFastCgi(name, method);
        expect(fcgi).toBe(cgi);
        expect(cgi).toBe(expected[name]![method]);
      });
    }
  }
});
