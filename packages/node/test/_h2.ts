/**
 * HTTP/2 test helpers: a self-signed certificate (and a client certificate signed by a CA) made
 * with openssl in a temp dir, and one request over a node:http2 client session.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { type ClientHttp2Session, connect, type IncomingHttpHeaders } from 'node:http2';
import { join } from 'node:path';
import type { Application } from '@tsgi/core';
import { selfSignedCertificate, tempDir } from '@tsgi/harness';

/** An app echoing its request body, read whole, as one chunk. */
export const echoWhole: Application = async (environ, startResponse) => {
  const parts: Uint8Array[] = [];
  for (;;) {
    const chunk = await environ['tsgi.input'].read();
    if (chunk.length === 0) break;
    parts.push(chunk);
  }
  startResponse('200 OK', [['content-type', 'application/octet-stream']]);
  return [Buffer.concat(parts)];
};

export interface Certs {
  key: Buffer;
  cert: Buffer;
  /** A CA, and a client certificate it signed (CN=client, O=TSGI Tests). */
  ca: Buffer;
  clientKey: Buffer;
  clientCert: Buffer;
}

/** Makes the certificates with `openssl` (the path `requireTool` found). */
export function makeCerts(openssl: string): Certs {
  const dir = tempDir();
  try {
    const f = (name: string): string => join(dir.path, name);
    const run = (args: string[]): void => void execFileSync(openssl, args, { stdio: 'ignore' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    // The server's certificate, and a CA that signs the client's (the server trusts the CA).
    mkdirSync(f('server'));
    mkdirSync(f('ca'));
    const server = selfSignedCertificate(f('server'));
    const ca = selfSignedCertificate(f('ca'), '/CN=Test CA');
    run([
      'req',
      '-new',
      ...ec,
      '-keyout',
      f('ckey'),
      '-out',
      f('csr'),
      '-subj',
      '/O=TSGI Tests/CN=client',
    ]);
    run([
      'x509',
      '-req',
      '-in',
      f('csr'),
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-set_serial',
      '0x1F2E',
      '-days',
      '1',
      '-out',
      f('ccert'),
    ]);
    const read = (name: string): Buffer => readFileSync(f(name));
    return {
      key: readFileSync(server.key),
      cert: readFileSync(server.cert),
      ca: readFileSync(ca.cert),
      clientKey: read('ckey'),
      clientCert: read('ccert'),
    };
  } finally {
    dir.remove();
  }
}

let _certs: Certs | undefined;

/** The certificates, made on first use and kept for the test file. */
export function testCerts(openssl: string): Certs {
  _certs ??= makeCerts(openssl);
  return _certs;
}

/** The server's key and certificate, as `serve`'s `tls` option. */
export function serverTls(openssl: string): { key: Buffer; cert: Buffer } {
  const { key, cert } = testCerts(openssl);
  return { key, cert };
}

export interface H2Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Opens a client session to `url` (https: any certificate; http: h2c prior knowledge). */
export function h2connect(
  url: string,
  tls: { key?: Buffer; cert?: Buffer } = {},
): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(url, { rejectUnauthorized: false, ...tls });
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

/** One request on `session`; the body is written whole. Rejects on a stream reset. */
export function h2request(
  session: ClientHttp2Session,
  headers: Record<string, string | string[]>,
  body?: Uint8Array,
): Promise<H2Response> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: body === undefined });
    let status = 0;
    let got: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      got = h;
      status = Number(h[':status']);
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      if (status === 0) reject(new Error('stream ended without a response'));
      else resolve({ status, headers: got, body: Buffer.concat(chunks) });
    });
    stream.on('error', reject);
    stream.on('close', () => {
      if (stream.rstCode !== 0) reject(new Error(`stream reset with code ${stream.rstCode}`));
    });
    if (body !== undefined) stream.end(body);
  });
}
