/**
 * `GET /__tsgi/ws?mode=info|echo|throw|signal` (spec 20): uses `tsgix.websocket` when the server
 * offers it. `info` answers what the key says, as JSON (a plain request, or a handshake it does
 * not accept). The other modes accept a handshake (protocol `chat` when offered) and note what
 * the application saw: `echo` echoes every message until the peer closes and notes the close,
 * `startResponse` after accept (WS-06) and a read of `tsgi.input` (WS-08); `throw` throws at the
 * first message (WS-15); `signal` waits for `tsgi.signal` (WS-07).
 */
import type { WebSocketUpgrade } from '@tsgi/core';
import { describeError, type Endpoint, json, note } from './context.js';

export const ws: Endpoint = async (ctx) => {
  const upgrade = ctx.environ['tsgix.websocket'] as WebSocketUpgrade | undefined;
  const mode = ctx.q.get('mode') ?? 'info';
  if (upgrade === undefined || mode === 'info' || !upgrade.requested) {
    let accept: unknown = null;
    if (upgrade !== undefined && !upgrade.requested) {
      try {
        upgrade.accept();
        accept = { threw: false };
      } catch (err) {
        accept = { threw: true, error: describeError(err) };
      }
    }
    return json(ctx, {
      // EXT-07: a key that is there must be the extension, not undefined or a stub.
      present: 'tsgix.websocket' in ctx.environ,
      kind: typeof upgrade,
      requested: upgrade?.requested ?? null,
      protocols: upgrade?.protocols ?? null,
      accept,
    });
  }
  const socket = upgrade.accept(upgrade.protocols.includes('chat') ? { protocol: 'chat' } : {});
  socket.closed.then((c) => note(ctx, 'closed', { code: c.code, reason: c.reason }));
  if (mode === 'throw') {
    for await (const _ of socket) throw new Error('probe: thrown after accept (WS-15)');
  } else if (mode === 'signal') {
    const signal = ctx.environ['tsgi.signal'];
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    note(ctx, 'signal', 'aborted');
  } else {
    try {
      ctx.start('200 OK', []);
      note(ctx, 'start', { threw: false });
    } catch (err) {
      note(ctx, 'start', { threw: true, error: describeError(err) });
    }
    note(ctx, 'input', (await ctx.environ['tsgi.input'].read()).length);
    for await (const message of socket) await socket.send(message);
  }
  return [];
};
