/**
 * The WebSocket extension (spec 20), as a raw RFC 6455 client over the probe's `/__tsgi/ws`.
 * A server without `tsgix.websocket` (CGI, FastCGI, SCGI, workerd: WS-01 allows it) skips every
 * case but the first, which checks that the key is then absent, not a stub (EXT-07).
 */
import type { CaseContext, ServerCase } from '../case.js';
import type { Connection } from '../connection.js';
import {
  clientFrame,
  closeOf,
  closePayload,
  FrameReader,
  handshakeKey,
  OP,
} from '../websocket-frames.js';

interface _Info {
  present: boolean;
  kind: string;
  requested: boolean | null;
  protocols: string[] | null;
  accept: { threw: boolean; error?: { requirement?: string } } | null;
}

async function _info(t: CaseContext): Promise<_Info> {
  const { res } = await t.fetch({ path: 'ws', query: 'mode=info', close: true });
  return JSON.parse(res.text()) as _Info;
}

async function _requirePresent(t: CaseContext): Promise<void> {
  if (!(await _info(t)).present) t.skip('the server offers no tsgix.websocket (WS-01 allows it)');
}

/** Sends an opening handshake; returns the head as text and a reader for the frames after it. */
async function _open(
  t: CaseContext,
  mode: string,
  headers: ReadonlyArray<readonly [string, string]>,
): Promise<{ head: string; frames: FrameReader; conn: Connection; token: string }> {
  const token = t.token();
  const conn = await t.connect();
  conn.send(
    t.build(
      {
        path: 'ws',
        query: `mode=${mode}`,
        headers: [['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ...headers],
      },
      token,
    ),
  );
  await conn.waitUntil((b) => b.includes('\r\n\r\n') || conn.isClosed, 5000);
  const bytes = conn.drain();
  const end = bytes.indexOf('\r\n\r\n');
  const head = bytes.subarray(0, end < 0 ? bytes.length : end).toString('latin1');
  return { head, frames: new FrameReader(conn, bytes.subarray(end + 4)), conn, token };
}

function _field(head: string, name: string): string | undefined {
  const re = new RegExp(`\\r\\n${name}:[ \\t]*([^\\r]*)`, 'i');
  return re.exec(head)?.[1]?.trim();
}

const _status = (head: string) => Number(head.slice(9, 12));

export const WEBSOCKET_CASES: readonly ServerCase[] = [
  {
    id: 'websocket/key',
    title: 'tsgix.websocket is absent, or present with requested false on a plain request',
    requirements: ['WS-01', 'WS-02'],
    level: 'MUST',
    request: 'GET /__tsgi/ws?mode=info (no Upgrade)',
    expect: 'key absent; or requested false, no protocols, and accept() throws naming WS-05',
    async run(t) {
      const info = await _info(t);
      if (!info.present) return;
      t.equal('WS-01', info.kind, 'object', 'the value of a present key (EXT-07: no stub)');
      t.equal('WS-02', info.requested, false, 'requested');
      t.equal('WS-02', info.protocols, [], 'protocols');
      t.check(
        'WS-02',
        info.accept?.threw === true && info.accept.error?.requirement === 'WS-05',
        'accept() throws a ContractError naming WS-05',
        info.accept,
      );
    },
  },
  {
    id: 'websocket/refused-handshake',
    title: 'a malformed handshake is refused 400, another version 426 with sec-websocket-version',
    requirements: ['WS-04', 'WS-03'],
    level: 'MUST',
    needs: ['direct'],
    request: 'GET /__tsgi/ws with Upgrade: websocket and a short key; then version 8',
    expect: '400; then 426 with sec-websocket-version: 13; the application not invoked',
    async run(t) {
      await _requirePresent(t);
      const bad = await _open(t, 'echo', [
        ['Sec-WebSocket-Key', 'short'],
        ['Sec-WebSocket-Version', '13'],
      ]);
      t.equal('WS-04', _status(bad.head), 400, 'status for a bad key');
      const invoked = await t.invoked(bad.token, 300);
      if (invoked === undefined) t.unobserved('store', 'whether the application was invoked');
      else t.equal('WS-04', invoked, false, 'application invoked');
      const { key } = handshakeKey();
      const old = await _open(t, 'echo', [
        ['Sec-WebSocket-Key', key],
        ['Sec-WebSocket-Version', '8'],
      ]);
      t.equal('WS-04', _status(old.head), 426, 'status for version 8');
      t.equal('WS-04', _field(old.head, 'sec-websocket-version'), '13', 'sec-websocket-version');
    },
  },
  {
    id: 'websocket/echo',
    title:
      'accept(): 101 with the accept key and the chosen protocol; whole messages both ways; close',
    requirements: ['WS-05', 'WS-03', 'WS-06', 'WS-08', 'WS-09', 'WS-10', 'WS-13', 'WS-15'],
    level: 'MUST',
    needs: ['direct'],
    request:
      'GET /__tsgi/ws?mode=echo (protocols probe, chat); a text in two fragments; binary; close 4001',
    expect: '101 chat; one whole text echo; binary echo; close echoed; startResponse threw WS-06',
    async run(t) {
      await _requirePresent(t);
      const { key, accept } = handshakeKey();
      const ws = await _open(t, 'echo', [
        ['Sec-WebSocket-Key', key],
        ['Sec-WebSocket-Version', '13'],
        ['Sec-WebSocket-Protocol', 'probe, chat'],
      ]);
      t.equal('WS-05', _status(ws.head), 101, 'status');
      t.equal('WS-05', _field(ws.head, 'sec-websocket-accept'), accept, 'sec-websocket-accept');
      t.equal('WS-05', _field(ws.head, 'sec-websocket-protocol'), 'chat', 'chosen protocol');
      ws.conn.send(clientFrame(OP.text, 'héllo, ', false)); // §5.4: one message in two frames
      ws.conn.send(clientFrame(0, 'wörld', true));
      const text = await ws.frames.message();
      t.equal('WS-10', text?.opcode, OP.text, 'echo opcode');
      t.equal('WS-10', [text?.fin, text?.payload.toString()], [true, 'héllo, wörld'], 'whole text');
      ws.conn.send(clientFrame(OP.binary, Uint8Array.of(0, 255, 7)));
      const bin = await ws.frames.message();
      t.equal(
        'WS-09',
        [bin?.opcode, [...(bin?.payload ?? [])]],
        [OP.binary, [0, 255, 7]],
        'binary',
      );
      ws.conn.send(clientFrame(OP.close, closePayload(4001, 'bye')));
      const close = closeOf(await ws.frames.message());
      t.check('WS-13', close !== null, 'a close frame back', close);
      if (!t.has('store')) {
        t.unobserved(
          'store',
          'the close, startResponse and tsgi.input as the application saw them',
        );
        return;
      }
      const o = await t.observe(ws.token, (x) => x.notes.closed !== undefined);
      t.equal('WS-13', o.notes.closed, { code: 4001, reason: 'bye' }, 'closed, as the app saw it');
      const start = o.notes.start as { threw: boolean; error?: { requirement?: string } };
      t.check('WS-06', start?.error?.requirement === 'WS-06', 'startResponse threw WS-06', start);
      t.equal('WS-08', o.notes.input, 0, 'bytes read from tsgi.input');
    },
  },
  {
    id: 'websocket/errors',
    title: 'invalid UTF-8 closes 1007; an application that throws after accept closes 1011',
    requirements: ['WS-10', 'WS-15'],
    level: 'MUST',
    needs: ['direct'],
    request:
      'GET /__tsgi/ws?mode=echo, a text frame 0xC3 0x28; GET /__tsgi/ws?mode=throw, a message',
    expect: 'close 1007; close 1011',
    async run(t) {
      await _requirePresent(t);
      const a = await _open(t, 'echo', [
        ['Sec-WebSocket-Key', handshakeKey().key],
        ['Sec-WebSocket-Version', '13'],
      ]);
      a.conn.send(clientFrame(OP.text, Uint8Array.of(0xc3, 0x28)));
      t.equal('WS-10', closeOf(await a.frames.message())?.code, 1007, 'close code');
      const b = await _open(t, 'throw', [
        ['Sec-WebSocket-Key', handshakeKey().key],
        ['Sec-WebSocket-Version', '13'],
      ]);
      b.conn.send(clientFrame(OP.text, 'boom'));
      t.equal('WS-15', closeOf(await b.frames.message())?.code, 1011, 'close code');
    },
  },
  {
    id: 'websocket/signal',
    title: 'a connection lost after accept aborts tsgi.signal',
    requirements: ['WS-07'],
    level: 'MUST',
    needs: ['direct', 'store'],
    request: 'GET /__tsgi/ws?mode=signal, then the client drops the connection',
    expect: 'the application sees tsgi.signal abort',
    async run(t) {
      await _requirePresent(t);
      const ws = await _open(t, 'signal', [
        ['Sec-WebSocket-Key', handshakeKey().key],
        ['Sec-WebSocket-Version', '13'],
      ]);
      t.equal('WS-07', _status(ws.head), 101, 'status');
      ws.conn.destroy();
      const o = await t.observe(ws.token, (x) => x.notes.signal !== undefined);
      t.equal('WS-07', o.notes.signal, 'aborted', 'tsgi.signal');
    },
  },
];
