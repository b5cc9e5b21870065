/**
 * A listener error while `listen()` is pending rejects `listen()` and is not logged as well: the
 * caller reports it once. @tsgi/fastcgi and @tsgi/scgi share this through server-node's
 * GatewayServer; the SCGI copy used to log every listener error besides rejecting.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
// The FastCGI server by path: @tsgi/scgi does not depend on it.
import { serveFastCGI } from '../../fastcgi/src/index.js';
import { serveSCGI } from '../src/index.js';

const app = () => [] as Uint8Array[];

describe('gateway servers: an address in use', () => {
  for (const [name, serve] of [
    ['serveSCGI', serveSCGI],
    ['serveFastCGI', serveFastCGI],
  ] as const) {
    it(`${name}: listen() rejects with EADDRINUSE and nothing is logged`, async () => {
      const taken = createServer();
      await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
      const port = (taken.address() as { port: number }).port;
      const logged: string[] = [];
      try {
        await expect(
          serve(app, { port, signals: [], errors: (text: string) => logged.push(text) }),
        ).rejects.toThrow(/EADDRINUSE/);
        await new Promise((r) => setImmediate(r));
        expect(logged).toEqual([]);
      } finally {
        taken.close();
      }
    });
  }
});
