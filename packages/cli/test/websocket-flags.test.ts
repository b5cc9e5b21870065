/** `tsgi serve`'s WebSocket flags (spec 20, ADP-NODE-20), run as users run the command. */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Daemon, startDaemon, waitForOutput } from '@tsgi/harness';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = resolve(here, '../bin/tsgi.cjs');
const APP = join(here, 'fixtures', 'ws-echo.mjs');

const daemons: Daemon[] = [];
afterEach(async () => {
  await Promise.all(daemons.splice(0).map((d) => d.stop()));
});

async function serve(args: string[]): Promise<string> {
  const daemon = startDaemon(process.execPath, [
    BIN,
    'serve',
    APP,
    ...args,
    '--bind',
    '127.0.0.1:0',
  ]);
  daemons.push(daemon);
  return waitForOutput(daemon, /Listening on (\S+)/).then((m) => m[1]!);
}

function closeCode(ws: WebSocket): Promise<number> {
  return new Promise((r) => ws.once('close', (code: number) => r(code)));
}

describe('tsgi serve --ws flags', () => {
  it('ADP-NODE-20: the key by default; --ws none leaves it out', async () => {
    expect(await (await fetch(await serve([]))).text()).toBe('present');
    expect(await (await fetch(await serve(['--ws', 'none']))).text()).toBe('absent');
  });

  it('WS-14: --ws-max-size closes a larger message 1009', async () => {
    const url = await serve(['--ws-max-size', '1k']);
    const ws = new WebSocket(url.replace('http', 'ws'));
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    const code = closeCode(ws);
    ws.send(new Uint8Array(2048));
    expect(await code).toBe(1009);
  });

  it('WS-17: --ws-ping-interval and --ws-ping-timeout drop a peer that never answers', async () => {
    const url = await serve(['--ws-ping-interval', '0.1', '--ws-ping-timeout', '0.1']);
    const ws = new WebSocket(url.replace('http', 'ws'), { autoPong: false });
    expect([1006, 1011]).toContain(await closeCode(ws));
  });

  it('bad --ws values exit 2 naming the flag', async () => {
    for (const args of [
      ['--ws', 'maybe'],
      ['--ws-max-size', 'big'],
      ['--ws-ping-interval', '-1'],
      ['--ws', 'none', '--ws-max-size', '1k'],
    ]) {
      const child = spawn(process.execPath, [BIN, 'serve', APP, ...args], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const code = await new Promise<number | null>((r) => child.once('close', r));
      expect([code, stderr.includes(args[args.length - 2]!)], stderr).toEqual([2, true]);
    }
  });
});
