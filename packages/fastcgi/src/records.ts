/**
 * Re-export for `output.ts`, which is being edited elsewhere and still imports from here: delete
 * once it imports `./codec/index.js`. New code imports the codec.
 */
export * from './codec/records.js';
