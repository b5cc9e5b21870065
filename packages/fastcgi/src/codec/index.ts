/**
 * The FastCGI 1.0 wire format (Open Market spec, 1996): constants, the 8-byte record header,
 * every record body a responder and a web server exchange, name-value pairs, and a streaming
 * record decoder. Pure: no I/O and no imports beyond the language (no Node, no `@tsgi/core`), so
 * it is tested byte by byte and shared by the server, the client, and any other runtime.
 * @module
 */
export * from './constants.js';
export * from './errors.js';
export * from './latin1.js';
export * from './management.js';
export * from './name-value-pairs.js';
export * from './record-decoder.js';
export * from './records.js';
export * from './request-records.js';
