/**
 * Availability behind nginx: two TSGI FastCGI backends in one upstream with
 * `fastcgi_next_upstream error timeout`, under steady load. One backend is killed (SIGKILL), then
 * each is restarted (SIGTERM, graceful, and started again on the same port): no client request
 * may fail. Load goes through two locations, one opening a connection per request
 * (fastcgi_keep_conn off) and one over upstream keepalive (fastcgi_keep_conn on).
 */
import { freePort, requireTool, startNginx, type WebServer } from '@tsgi/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerChild, spawnServer, waitFor } from '../src/child.js';
import { get } from '../src/http.js';
import { failureSummary, type LoadSample, steadyLoad } from '../src/load.js';
import { profile, report, timeoutFor } from '../src/profile.js';

const nginx = requireTool('nginx', 'nginx in front of two FastCGI backends');
const FASTCGI_PARAMS = '/etc/nginx/fastcgi_params';

describe.skipIf(nginx === undefined)('nginx → two @tsgi/fastcgi backends: availability', () => {
  let web: WebServer;
  const ports: number[] = [];
  const backends: ServerChild[] = [];
  const start = (i: number): Promise<ServerChild> =>
    spawnServer({ transport: 'fastcgi', port: ports[i]!, sigtermTimeout: 5000 });

  beforeAll(async () => {
    ports.push(await freePort(), await freePort());
    backends.push(await start(0), await start(1));
    const upstream = (name: string, keepalive: string): string => `
  upstream ${name} {
    server 127.0.0.1:${ports[0]} max_fails=1 fail_timeout=2s;
    server 127.0.0.1:${ports[1]} max_fails=1 fail_timeout=2s;
    ${keepalive}
  }`;
    web = await startNginx({
      config: ({ port }) => `
  ${upstream('tsgi_off', '')}
  ${upstream('tsgi_keep', 'keepalive 8;')}
  server {
    listen 127.0.0.1:${port};
    server_name localhost;
    location /off/ {
      include ${FASTCGI_PARAMS};
      fastcgi_param SCRIPT_NAME '';
      fastcgi_param PATH_INFO /hello;
      fastcgi_pass tsgi_off;
      fastcgi_next_upstream error timeout;
      fastcgi_connect_timeout 1s;
      fastcgi_read_timeout 5s;
    }
    location /keep/ {
      include ${FASTCGI_PARAMS};
      fastcgi_param SCRIPT_NAME '';
      fastcgi_param PATH_INFO /hello;
      fastcgi_pass tsgi_keep;
      fastcgi_keep_conn on;
      fastcgi_next_upstream error timeout;
      fastcgi_connect_timeout 1s;
      fastcgi_read_timeout 5s;
    }
  }`,
    });
  });

  afterAll(async () => {
    await web?.stop();
    for (const b of backends) await b?.kill('SIGKILL');
  });

  /** Load over both locations; half the clients on each. */
  async function load(ms: number): Promise<LoadSample[]> {
    const half = Math.max(1, Math.floor(profile.loadConcurrency / 2));
    const [a, b] = await Promise.all([
      steadyLoad(web.port, '/off/x', half, ms),
      steadyLoad(web.port, '/keep/x', half, ms),
    ]);
    return [...a, ...b];
  }

  async function bothServing(): Promise<boolean> {
    const pids = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const r = await get(web.port, '/off/x', { timeout: 3000 });
      if (r.header('x-pid') !== undefined) pids.add(r.header('x-pid')!);
    }
    return pids.size === 2;
  }

  it(
    'SRV-10, SRV-09, ADP-FCGI-03: a backend killed (SIGKILL) under steady load costs no client request',
    async () => {
      expect(await waitFor(bothServing, 10_000, 100), web.output()).toBe(true);
      const running = load(profile.loadMs);
      await new Promise((r) => setTimeout(r, profile.loadMs / 3));
      const victim = backends[0]!;
      await victim.kill('SIGKILL');
      const samples = await running;
      const failed = samples.filter((s) => !s.ok);
      const byPid = new Set(samples.filter((s) => s.ok).map((s) => s.pid));
      report('availability-backend-killed', {
        requests: samples.length,
        failed: failed.length,
        causes: failureSummary(samples) || 'none',
        backendsSeen: byPid.size,
      });
      expect(failed.map((s) => s.why)).toEqual([]);
      expect(samples.length).toBeGreaterThan(10);
      backends[0] = await start(0);
    },
    timeoutFor(30_000, 90_000),
  );

  it(
    'SRV-09, ADP-FCGI-09: each backend restarted in turn (SIGTERM, graceful, started again on its port) under steady load costs no client request',
    async () => {
      // Let nginx's fail_timeout for the killed backend pass so both take traffic again.
      expect(await waitFor(bothServing, 15_000, 200), web.output()).toBe(true);
      // A rolling restart: the second backend goes down only once the first is back in the
      // upstream's rotation (nginx keeps a failed server out for fail_timeout); restarting both
      // inside that window would leave "no live upstreams", which no backend can prevent.
      let stop = false;
      const restarts: number[] = [];
      const restarting = (async () => {
        for (const i of [0, 1]) {
          await new Promise((r) => setTimeout(r, profile.loadMs / 3));
          const t0 = Date.now();
          backends[i]!.process.kill('SIGTERM');
          await backends[i]!.exited;
          backends[i] = await start(i);
          restarts.push(Date.now() - t0);
          await waitFor(bothServing, 15_000, 100);
        }
        stop = true;
      })();
      const samples: LoadSample[] = [];
      while (!stop) samples.push(...(await load(500)));
      await restarting;
      const failed = samples.filter((s) => !s.ok);
      report('availability-backend-restarted', {
        requests: samples.length,
        failed: failed.length,
        causes: failureSummary(samples) || 'none',
        restartMs: restarts.join('/'),
      });
      if (failed.length > 0)
        console.log(
          web
            .output()
            .split('\n')
            .filter((l) => /error|warn/.test(l))
            .slice(-15)
            .join('\n'),
        );
      expect(failed.map((s) => `${s.why}`)).toEqual([]);
    },
    timeoutFor(40_000, 120_000),
  );
});
