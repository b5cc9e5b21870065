/**
 * The example server hosting the conformance suite's probe application, on the port given as
 * the first argument (default 8000): `npx tsx host-probe.ts 8000`.
 */
import probe from '@tsgi/conformance/probe';
import { toyServer } from './server.js';

const server = toyServer(probe, Number(process.argv[2] ?? 8000));
server.on('listening', () =>
  console.log(`listening on http://127.0.0.1:${process.argv[2] ?? 8000}`),
);
