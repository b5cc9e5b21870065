/**
 * The FastCGI 1.0 wire format (Open Market spec, 1996): constants, the 8-byte record header, the
 * fixed-size record bodies, name-value pairs, and a streaming record decoder. Pure: no sockets,
 * no timers, no I/O, so it can be tested byte by byte and reused by clients and servers alike.
 * @module
 */
export * from './constants.js';
export * from './decoder.js';
export * from './pairs.js';
export * from './records.js';
