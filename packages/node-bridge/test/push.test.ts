/**
 * A response the handler writes piece by piece goes to `startResponse`'s `write` from within
 * node's own `res.write()` (WR-01), as node:http hands chunks to its socket, and the body is `[]`
 * once node's 'finish' says the last one went out (WR-03). A response written whole (`res.send`)
 * still goes out as an Array with its length (the 'whole' fast path).
 */
import type { Application, Write } from '@tsgi/core';
import { request } from '@tsgi/core/testing';
import { fromNodeHandler, type NodeHandler } from '@tsgi/node-bridge';
import { describe, expect, it } from 'vitest';

/** The app with its `write` calls logged into `log`, beside the handler's own marks. */
function logged(handler: NodeHandler, log: string[]): Application {
  const app = fromNodeHandler(handler);
  return (environ, startResponse) =>
    app(environ, (status, headers) => {
      const write = startResponse(status, headers);
      const spy: Write = (chunk) => {
        log.push(`write ${chunk.length}`);
        return write(chunk);
      };
      return spy;
    });
}

describe('fromNodeHandler: streamed responses are pushed through write (WR-01)', () => {
  it('each res.write reaches write() in its own tick, its callback after; then the body ends', async () => {
    const log: string[] = [];
    const app = logged((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('one');
      setTimeout(() => {
        log.push('res.write two');
        res.write('two', () => log.push('two called back'));
        log.push('res.write returned');
        res.end(() => log.push('finish'));
      }, 5);
    }, log);
    const got = await request(app);
    expect(got.status).toBe(200);
    expect(got.text()).toBe('onetwo');
    expect(got.complete).toBe(true);
    // `write 0` marks the response as written (WR-04) before the first chunk goes. node corks
    // its socket for the rest of a tick that wrote (as on node:http), so a chunk reaches write()
    // when that tick's own code is done, and its callback waits for write()'s promise (WR-01).
    expect(log).toEqual([
      'write 0',
      'write 3',
      'res.write two',
      'res.write returned',
      'write 3',
      'two called back',
      'finish',
    ]);
  });

  it('a response written whole goes out as an Array, without write()', async () => {
    const log: string[] = [];
    const got = await request(
      logged((_req, res) => {
        res.setHeader('content-type', 'text/plain');
        res.end('whole');
      }, log),
    );
    expect(got.text()).toBe('whole');
    expect(got.header('content-length')).toBe('5');
    expect(log).toEqual([]);
  });

  it('a handler that fails mid-stream cuts the response short (ERR-03)', async () => {
    const got = await request(
      fromNodeHandler((_req, res) => {
        res.write('partial');
        setTimeout(() => res.destroy(new Error('boom')), 5);
      }),
    );
    expect(got.text()).toBe('partial');
    expect(got.complete).toBe(false);
  });
});
