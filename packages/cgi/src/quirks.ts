/**
 * Web-server quirks the CGI adapter repairs before `environFromCgi` sees the variables, as
 * observed on Debian 12 (see the package README's server table).
 */

import { isDigits } from '@tsgi/core';

/** The request body as the server passed it. */
export type BodyMode = 'ok' | 'length-required' | 'not-forwarded';

/** The repaired variables, and whether the body can be trusted. */
export interface Repaired {
  vars: Readonly<Record<string, string>>;
  body: BodyMode;
}

function _isBusybox(software: string): boolean {
  return software.startsWith('busybox httpd');
}

function _isMiniHttpd(software: string): boolean {
  return software.startsWith('mini_httpd');
}

/**
 * Repairs known deviations:
 * - REQUEST_URI (ENV-07) must be the raw request-target. busybox httpd passes it
 *   percent-decoded, so it is dropped for busybox and `environFromCgi` rebuilds it from
 *   SCRIPT_NAME, PATH_INFO and QUERY_STRING (ADP-CGI-15). `environFromCgi` itself discards a
 *   REQUEST_URI holding octets a raw target cannot; a decoded one without such octets (`%41`
 *   sent, `A` passed) can only be recognised by the server's name.
 * - busybox httpd and mini_httpd pass a chunked request body raw (framing included, and
 *   busybox only the part it had already buffered) with no CONTENT_LENGTH. The body cannot be
 *   recovered, so the request is answered `411 Length Required` without calling the
 *   application (RFC 3875 §4.2: the server SHOULD reject it; SRV-02, IN-02).
 * - busybox httpd forwards a body only for POST: a PUT with Content-Length arrives with
 *   HTTP_CONTENT_LENGTH but no CONTENT_LENGTH and a partial stdin. Rather than show the
 *   application an empty or cut body (IN-04), the request is answered `501 Not Implemented`.
 */
export function repairVariables(vars: Readonly<Record<string, string>>): Repaired {
  const software = vars.SERVER_SOFTWARE ?? '';
  let out = vars;
  const uri = vars.REQUEST_URI;
  if (uri !== undefined && _isBusybox(software)) {
    const { REQUEST_URI: _dropped, ...rest } = vars;
    out = rest;
  }
  const lengthless =
    (vars.CONTENT_LENGTH ?? '') === '' && (vars.HTTP_TRANSFER_ENCODING ?? '') !== '';
  const rawChunked = lengthless && (_isBusybox(software) || _isMiniHttpd(software));
  if (rawChunked) return { vars: out, body: 'length-required' };
  const declared = vars.HTTP_CONTENT_LENGTH ?? '';
  const dropped = (vars.CONTENT_LENGTH ?? '') === '' && isDigits(declared) && Number(declared) > 0;
  if (dropped && _isBusybox(software)) return { vars: out, body: 'not-forwarded' };
  return { vars: out, body: 'ok' };
}
