/**
 * `@tsgi/conformance/client`: the suite's raw HTTP/1.x client on its own, for tests of a server
 * that need exact bytes out and every byte back: `Connection` (one socket, requests written as
 * given, responses read one at a time, a cut-short body reported as `complete: false`) and
 * `ResponseParser` (status line, header lines as received, content-length, chunked and
 * close-delimited bodies, 1xx interim responses, trailers). The repository's own test kit
 * (`@tsgi/harness/http`) is built on it.
 * @module
 */
export { Connection, noResponse, type ReadOptions, TimeoutError } from './server/connection.js';
export { type RawResponse, ResponseParser } from './server/http-parser.js';
