/**
 * Re-export for `cgi.ts`, which is being edited elsewhere and still imports `latin1` from here:
 * delete once it imports `bytesToLatin1` from `./codec/index.js`. New code imports the codec.
 */
export { bytesToLatin1 as latin1 } from './codec/latin1.js';
export * from './codec/name-value-pairs.js';
