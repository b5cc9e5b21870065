/**
 * GracefulShutdown (SRV-09) over a real net.Server on 127.0.0.1, with a transport that counts
 * each open connection as in-flight work (as @tsgi/fastcgi does).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { GracefulShutdown, listen } from '@tsgi/server-node';
import { describe, expect, it } from 'vitest';

/** A server whose connections stay open until the test ends them; each one is "in flight". */
async function harness() {
  const open = new Set<Socket>();
  const events: string[] = [];
  let shutdown!: GracefulShutdown;
  const server: Server = createServer((socket) => {
    open.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => {
      open.delete(socket);
      shutdown.settled();
    });
  });
  shutdown = new GracefulShutdown({
    server,
    pending: () => open.size,
    drain: () => events.push('drain'),
    abort: () => {
      events.push(`abort ${open.size}`);
      for (const s of open) s.destroy();
    },
    finish: () => events.push('finish'),
  });
  const address = await listen(server, { kind: 'tcp', host: '127.0.0.1', port: 0 });
  const port = address.kind === 'tcp' ? address.port : 0;
  const client = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1' }, () => resolve(s));
      s.on('error', reject);
    });
  const accepted = async (n: number): Promise<void> => {
    while (open.size < n) await new Promise((r) => setImmediate(r));
  };
  return { server, shutdown, open, events, client, accepted };
}

describe('GracefulShutdown', () => {
  it('SRV-09: stops accepting, waits for in-flight work, finishes once the last one settles', async () => {
    const h = await harness();
    const a = await h.client();
    await h.accepted(1);
    let closed = false;
    const closing = h.shutdown.close(60_000).then(() => {
      closed = true;
    });
    expect(h.shutdown.closing).toBe(true);
    expect(h.events).toEqual(['drain']);
    expect(h.server.listening).toBe(false);
    await expect(h.client()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await new Promise((r) => setTimeout(r, 20));
    expect(closed).toBe(false);
    // Event-driven: the settle that leaves nothing in flight ends the wait, not a timer (60 s).
    a.destroy();
    await closing;
    expect(h.events).toEqual(['drain', 'finish']);
    expect(h.shutdown.close()).toBe(h.shutdown.close()); // idempotent
  });

  it('SRV-09: past the timeout, what is still in flight is aborted, then the rest closed', async () => {
    const h = await harness();
    await h.client();
    await h.client();
    await h.accepted(2);
    await h.shutdown.close(30);
    expect(h.events).toEqual(['drain', 'abort 2', 'finish']);
    expect(h.open.size).toBe(0);
  });

  it('nothing in flight: close resolves at once; a server that never listened too', async () => {
    const h = await harness();
    await h.shutdown.close(60_000);
    expect(h.events).toEqual(['drain', 'finish']);
    const idle = new GracefulShutdown({
      server: createServer(),
      pending: () => 0,
      drain: () => {},
      abort: () => {},
    });
    await idle.close();
  });
});
