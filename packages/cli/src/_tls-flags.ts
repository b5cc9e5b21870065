/**
 * `tsgi serve`'s TLS and HTTP/2 flags (issue 20), named as gunicorn's and uvicorn's:
 * `--certfile`, `--keyfile`, `--ca-certs`, and `--http2`/`--no-http2`. Their own file, so the
 * serve command only spreads the flags and applies the result.
 */
import { readFileSync } from 'node:fs';
import type { ServeOptions } from '@tsgi/node';
import { UsageError } from './_args.js';

export const TLS_FLAGS = {
  certfile: { type: 'string' },
  keyfile: { type: 'string' },
  'ca-certs': { type: 'string' },
  http2: { type: 'boolean' },
  'no-http2': { type: 'boolean' },
} as const;

type _Values = {
  certfile?: string | undefined;
  keyfile?: string | undefined;
  'ca-certs'?: string | undefined;
  http2?: boolean | undefined;
  'no-http2'?: boolean | undefined;
};

/** Sets `tls` and `http2` on `options` as the flags ask; the files are read once, here. */
export function applyTlsFlags(values: _Values, options: ServeOptions): void {
  const tls = _tlsOptions(values.certfile, values.keyfile, values['ca-certs']);
  if (tls !== undefined) options.tls = tls;
  // ADP-NODE-15: HTTP/2 is on by default with TLS (ALPN keeps HTTP/1.1 on the same port).
  if (values.http2 === true && values['no-http2'] === true)
    throw new UsageError('--http2 and --no-http2 contradict each other');
  if (values.http2 === true || values['no-http2'] === true) options.http2 = values.http2 === true;
}

/** `--certfile`/`--keyfile`/`--ca-certs` as node:https options. */
function _tlsOptions(
  certfile: string | undefined,
  keyfile: string | undefined,
  caCerts: string | undefined,
): ServeOptions['tls'] {
  if (certfile === undefined && keyfile === undefined && caCerts === undefined) return undefined;
  if (certfile === undefined || keyfile === undefined)
    throw new UsageError('--certfile and --keyfile go together (HTTPS needs both)');
  const read = (flag: string, file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new UsageError(`${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
  };
  const tls: NonNullable<ServeOptions['tls']> = {
    cert: read('--certfile', certfile),
    key: read('--keyfile', keyfile),
  };
  if (caCerts !== undefined) {
    tls.ca = read('--ca-certs', caCerts);
    // Mutual TLS: only clients with a certificate these CAs signed get through the handshake.
    tls.requestCert = true;
    tls.rejectUnauthorized = true;
  }
  return tls;
}
