/**
 * `@tsgi/fastcgi/client`: a FastCGI client for tests and tools. It plays the web server's side
 * (multiplexed ids, keep-conn, records split at any boundary, ABORT_REQUEST, GET_VALUES, raw
 * bytes) and parses the CGI response an application writes on STDOUT.
 *
 * ```ts
 * import { FastCGIClient, parseCgiResponse } from '@tsgi/fastcgi/client';
 * const client = await FastCGIClient.connect({ port: 9000 });
 * const res = await client.request({ params: cgiVariables, stdin: 'a body' });
 * const { status, headers, body } = parseCgiResponse(res.stdout);
 * ```
 * @module
 */
// The CGI response parser is core's, shared with @tsgi/cgi's tests (issue 17).
export { type CgiResponse, parseCgiResponse } from '@tsgi/core';
export {
  type ClientRequest,
  type ClientRequestOptions,
  FastCGIClient,
  type FastCGIClientAddress,
  type FastCGIClientOptions,
  type FastCGIResponse,
} from './client.js';
