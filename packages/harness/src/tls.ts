/**
 * A throwaway TLS identity for tests and benches that serve HTTPS, HTTP/2 over TLS or wss on
 * loopback: a self-signed P-256 certificate for CN=localhost, valid one day, made by `openssl`
 * (Debian's; scripts/ensure-system-deps.mjs installs it). Clients then trust it explicitly or
 * skip verification.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { requireToolOrThrow } from './tools.js';

/** Paths of a PEM key and certificate. */
export interface CertificateFiles {
  readonly key: string;
  readonly cert: string;
}

/** Writes `key.pem` and `cert.pem` (CN=localhost) into `dir`; throws without openssl. */
export function selfSignedCertificate(dir: string, subject = '/CN=localhost'): CertificateFiles {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    requireToolOrThrow('openssl'),
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      subject,
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { key, cert };
}
