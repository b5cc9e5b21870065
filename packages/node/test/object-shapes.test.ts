/**
 * The objects every request touches stay V8 fast-mode objects. One that falls into dictionary
 * mode (a property redefined as an accessor, say) makes every property read a hash lookup: the
 * listener's state did so once the WebSocket side followed its shutdown flags through
 * `Object.defineProperty`, 2.7 µs more server CPU per hello world (two builds side by side under wrk), with
 * no test failing. Checked in a child node with `--allow-natives-syntax`, against the build; and
 * the WebSocket key, which is not added as a configuration key (see _environ.ts). Two more found
 * with callgrind (bench/instructions.mjs): a key added to environ past V8's second property-array
 * size (88 bytes a request), and the exchange built through a derived class's constructor (about
 * 275 instructions a request).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

// `%HasFastProperties` is V8's own check; the script is only valid JavaScript under the flag.
const script = `
const { serve } = await import(${JSON.stringify(dist)});
const { connect } = await import('node:net');
const seen = {};
const handle = await serve(async (environ, startResponse) => {
  seen.environ = environ;
  await null; // an asynchronous app: the exchange is watched and reachable from the response
  startResponse('200 OK', [['content-type', 'text/plain']]);
  return [new Uint8Array([104, 105])];
}, { host: '127.0.0.1', port: 0, signals: [], errors: () => {} });
handle.server.prependListener('request', (req, res) => { seen.res = res; });
for (let i = 0; i < 3; i++) await fetch(handle.url).then((r) => r.text());
const kExchange = Object.getOwnPropertySymbols(seen.res).find((s) => s.description === 'tsgi.exchange');
const exchangeClass = kExchange === undefined ? undefined : seen.res[kExchange].constructor;
// A request with one header field, as wrk sends: which of environ's keys V8 keeps out of object.
await new Promise((resolve, reject) => {
  const socket = connect(Number(new URL(handle.url).port), '127.0.0.1');
  socket.on('error', reject).on('data', () => { socket.destroy(); resolve(); });
  socket.write('GET / HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n');
});
%DebugPrint(seen.environ);
const state = handle.server.listeners('request').find((l) => l.state !== undefined).state;
const shapes = {
  'listener state': %HasFastProperties(state),
  environ: %HasFastProperties(seen.environ),
  exchange: kExchange !== undefined && %HasFastProperties(seen.res[kExchange]),
  request: %HasFastProperties(seen.res.req),
  response: %HasFastProperties(seen.res),
  // WS-02's key is there, stored under its own name: not one of the SRV-03 configuration keys,
  // whose computed-name store cost 2 µs per request (_environ.ts).
  'tsgix.websocket': seen.environ['tsgix.websocket']?.requested,
  'configuration keys': state.env.extra ?? null,
  // One class, not a subclass of its state: see _exchange-state.ts.
  'exchange class extends': Object.getPrototypeOf(exchangeClass?.prototype ?? {}) === Object.prototype ? null : 'a base class',
};
await handle.close();
process.stdout.write(\`\nSHAPES \${JSON.stringify(shapes)}\n\`);
`;

describe('object shapes on the hot path', () => {
  it('keeps the listener state, environ, exchange, req and res in fast mode, WS-02 out of the config keys, environ within two property arrays, the exchange one class', async () => {
    const { stdout } = await run(process.execPath, [
      '--allow-natives-syntax',
      '--input-type=module',
      '-e',
      script,
    ]);
    const shapes = stdout.split('\n').find((l) => l.startsWith('SHAPES '))!;
    expect(JSON.parse(shapes.slice('SHAPES '.length))).toEqual({
      'listener state': true,
      environ: true,
      exchange: true,
      request: true,
      response: true,
      'tsgix.websocket': false,
      'configuration keys': null,
      'exchange class extends': null,
    });
    // V8's %DebugPrint of that environ: SERVER_SOFTWARE is one of createEnviron's literal keys,
    // and what the adapter adds after it (the signal's binding, tsgi.raw_headers, HTTP_HOST,
    // REMOTE_ADDR, REMOTE_PORT, tsgix.websocket) fits the property array's second size (V8 grows
    // it three slots at a time, copying): one key more cost a third array, 88 bytes a request.
    expect(stdout).toMatch(/#SERVER_SOFTWARE: .*location: in-object/);
    const slots = Number(/properties: \S+ <PropertyArray\[(\d+)\]>/.exec(stdout)?.[1]);
    expect(slots).toBeLessThanOrEqual(6);
  });
});
