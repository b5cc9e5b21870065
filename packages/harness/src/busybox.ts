/**
 * Starts busybox httpd on 127.0.0.1 in the foreground (`busybox httpd -f -vv -p
 * 127.0.0.1:PORT -h ROOT`). CGI programs go in `ROOT/cgi-bin/` and must be executable; busybox
 * runs them as the current user with its own environment plus the CGI variables.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { requireToolOrThrow } from './tools.js';
import {
  type ConfigSource,
  renderConfig,
  startWebServer,
  stripDocsMarkers,
  type WebServer,
} from './webserver.js';

/**
 * The command line the harness runs, as a deployer types it (the deployment guide shows it):
 * `PORT` and `ROOT` are filled in.
 */
const COMMAND = `
# docs:begin busybox-cgi
busybox httpd -f -vv -p 127.0.0.1:PORT -h ROOT
# docs:end busybox-cgi
`;

/** The arguments after `busybox` in COMMAND, with PORT and ROOT filled in. */
function _args(port: number, root: string): string[] {
  return stripDocsMarkers(COMMAND)
    .trim()
    .split(/\s+/)
    .slice(1)
    .map((a) => (a === 'ROOT' ? root : a.replace(/PORT$/, String(port))));
}

/** Options for `startBusyboxHttpd`. */
export interface BusyboxHttpdOptions {
  /** The document root (`-h`); CGI programs live in `ROOT/cgi-bin/`. Default `DIR/www`. */
  root?: string;
  /** Lines of an httpd.conf (`-c DIR/httpd.conf`); none by default. */
  config?: ConfigSource;
  /** Use this (existing) dir instead of a fresh temp dir. */
  dir?: string;
}

/** Starts busybox httpd; resolves once it accepts connections. */
export function startBusyboxHttpd(options: BusyboxHttpdOptions = {}): Promise<WebServer> {
  const command = requireToolOrThrow('busybox');
  return startWebServer({
    name: 'busybox-httpd',
    command,
    ...(options.dir === undefined ? {} : { dir: options.dir }),
    prepare: (ctx) => {
      const root = options.root ?? `${ctx.dir}/www`;
      mkdirSync(`${root}/cgi-bin`, { recursive: true });
      const args = _args(ctx.port, root);
      if (options.config !== undefined) {
        writeFileSync(`${ctx.dir}/httpd.conf`, `${renderConfig(options.config, ctx)}\n`);
        args.push('-c', `${ctx.dir}/httpd.conf`);
      }
      return args;
    },
  });
}
