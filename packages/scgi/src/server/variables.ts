/**
 * The SCGI headers as CGI variables for core's `environFromCgi`, and how SCRIPT_NAME and
 * PATH_INFO are found (ADP-SCGI-05, ADP-SCGI-06).
 */
import { type CgiEnvironOptions, joinHeaderValues } from '@tsgi/core';
import type { HeaderPairs } from '../codec/index.js';

/**
 * The pairs by name (a null-prototype object: any name is a plain key), as `environFromCgi`
 * takes them (ADP-SCGI-06). The codec has refused
 * every repeated name but `HTTP_*` ones; those are request header lines nginx before 1.23 sends
 * once per line, so they are joined as ENV-13 says (ADP-SCGI-06, as ADP-FCGI-12 for FastCGI).
 */
export function cgiVariables(pairs: HeaderPairs): Record<string, string> {
  const values = Object.create(null) as Record<string, string>;
  for (let i = 0; i < pairs.length; i++) {
    const [name, value] = pairs[i]!;
    const prev = values[name];
    values[name] = prev === undefined ? value : joinHeaderValues(name, prev, value);
  }
  // ENV-09: SCGI makes CONTENT_LENGTH mandatory, so front ends send "0" for a request without a
  // body. It stays only when the client declared it, which nginx and lighttpd show by passing
  // HTTP_CONTENT_LENGTH (Apache passes none: there "Content-Length: 0" reads as no body).
  if (values.CONTENT_LENGTH === '0' && values.HTTP_CONTENT_LENGTH === undefined)
    delete values.CONTENT_LENGTH;
  return values;
}

const _ROOT: CgiEnvironOptions = Object.freeze({ scriptName: '' });

/**
 * ADP-SCGI-05: the `scriptName` option when given; else the front end's SCRIPT_NAME/PATH_INFO
 * when it sent either (lighttpd, Apache); else, as nginx sends neither, the application is at
 * the root and PATH_INFO is REQUEST_URI's decoded path (core's split with an empty mount).
 */
export function cgiOptionsFor(
  params: Readonly<Record<string, string>>,
  options: CgiEnvironOptions,
): CgiEnvironOptions {
  if (options.scriptName !== undefined) return options;
  if (params.SCRIPT_NAME !== undefined || params.PATH_INFO !== undefined) return options;
  return _ROOT;
}
