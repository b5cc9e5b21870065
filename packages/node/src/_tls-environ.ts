/**
 * The TLS variables of a connection (ADP-NODE-18), named and formatted as Apache mod_ssl's
 * (`SSLOptions +StdEnvVars +ExportCertData`), so that code written for mod_ssl, mod_wsgi or PHP
 * behind Apache reads them unchanged. Computed once per connection: TLS 1.3 has no renegotiation
 * and node refuses TLS 1.2 renegotiation of a server's peer certificate by default.
 */
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

/** `[key, value]` pairs, copied onto each request's environ. */
export type TlsVars = ReadonlyArray<readonly [string, string]>;

/**
 * `SSL_PROTOCOL` (`TLSv1.3`), `SSL_CIPHER` (OpenSSL's name), `SSL_TLS_SNI` (when the client sent
 * SNI), `SSL_CLIENT_VERIFY` (`NONE`, `SUCCESS` or `FAILED:reason`) and, when the client presented a
 * certificate, `SSL_CLIENT_S_DN`, `SSL_CLIENT_I_DN` (RFC 2253 strings, as mod_ssl since 2.3),
 * `SSL_CLIENT_M_SERIAL` (hex), `SSL_CLIENT_V_START`, `SSL_CLIENT_V_END` (OpenSSL's dates, as
 * mod_ssl) and `SSL_CLIENT_CERT` (PEM).
 */
export function tlsVars(socket: Partial<TLSSocket>): TlsVars {
  const vars: Array<readonly [string, string]> = [];
  const protocol = socket.getProtocol?.();
  if (typeof protocol === 'string') vars.push(['SSL_PROTOCOL', protocol]);
  const cipher = socket.getCipher?.();
  if (cipher?.name !== undefined) vars.push(['SSL_CIPHER', cipher.name]);
  const sni = (socket as { servername?: string | false }).servername;
  if (typeof sni === 'string' && sni !== '') vars.push(['SSL_TLS_SNI', sni]);
  const raw = socket.getPeerCertificate?.(false)?.raw;
  if (raw === undefined) {
    vars.push(['SSL_CLIENT_VERIFY', 'NONE']);
    return vars;
  }
  // requestCert without rejectUnauthorized lets an unverified certificate through: say so.
  const verify =
    socket.authorized === true
      ? 'SUCCESS'
      : `FAILED:${String(socket.authorizationError ?? 'unverified')}`;
  vars.push(['SSL_CLIENT_VERIFY', verify]);
  try {
    const cert = new X509Certificate(raw);
    vars.push(
      ['SSL_CLIENT_S_DN', rfc2253(cert.subject)],
      ['SSL_CLIENT_I_DN', rfc2253(cert.issuer)],
      ['SSL_CLIENT_M_SERIAL', cert.serialNumber.toUpperCase()],
      ['SSL_CLIENT_V_START', cert.validFrom],
      ['SSL_CLIENT_V_END', cert.validTo],
      ['SSL_CLIENT_CERT', cert.toString()],
    );
  } catch {
    // A certificate OpenSSL accepted but node cannot parse: the verify result stands alone.
  }
  return vars;
}

/**
 * node's `X509Certificate#subject` (one `key=value` per line, in certificate order) as an RFC 2253
 * string: the last RDN first, joined with `,`, special characters escaped (§2.4), as mod_ssl's
 * `SSL_CLIENT_S_DN` (`CN=client,O=Example,C=DE`).
 */
export function rfc2253(lines: string): string {
  return lines
    .split('\n')
    .filter((line) => line !== '')
    .reverse()
    .map((line) => {
      const eq = line.indexOf('=');
      return `${line.slice(0, eq)}=${_escape(line.slice(eq + 1))}`;
    })
    .join(',');
}

function _escape(value: string): string {
  let out = value.replace(/[,+"\\<>;=]/g, (c) => `\\${c}`);
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ') && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}
