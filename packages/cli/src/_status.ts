/**
 * `--ping-path` and `--status-path` (issue 23), as php-fpm's `ping.path` and `pm.status_path`:
 * a liveness answer for load balancers and a JSON snapshot of the process for monitoring,
 * answered before the application sees the request.
 */
import type { Application } from '@tsgi/core';

const _encoder = new TextEncoder();
const _PONG = _encoder.encode('pong\n');

/** What `/status` reports that only the server knows. */
export interface StatusSource {
  /** Open connections (node's `server.getConnections`). */
  connections(): Promise<number>;
}

/** `app` behind the two paths (either may be undefined). */
export function withStatus(
  app: Application,
  ping: string | undefined,
  status: string | undefined,
  source: () => StatusSource | undefined,
): Application {
  const started = Date.now();
  let accepted = 0;
  return (environ, startResponse) => {
    const path = environ.SCRIPT_NAME + environ.PATH_INFO;
    if (path === ping) {
      startResponse('200 OK', [
        ['content-type', 'text/plain'],
        ['cache-control', 'no-store'],
      ]);
      return [_PONG];
    }
    if (path === status) return _status(startResponse, started, accepted, source());
    accepted++;
    return app(environ, startResponse);
  };
}

async function _status(
  startResponse: Parameters<Application>[1],
  started: number,
  accepted: number,
  source: StatusSource | undefined,
): Promise<Uint8Array[]> {
  const body = _encoder.encode(
    `${JSON.stringify({
      pid: process.pid,
      start_time: new Date(started).toISOString(),
      uptime_s: Math.round((Date.now() - started) / 1000),
      accepted_requests: accepted,
      connections: (await source?.connections()) ?? null,
      memory_rss: process.memoryUsage.rss(),
    })}\n`,
  );
  startResponse('200 OK', [
    ['content-type', 'application/json'],
    ['cache-control', 'no-store'],
  ]);
  return [body];
}
