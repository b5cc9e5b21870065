/**
 * Starts busybox httpd on 127.0.0.1 in the foreground (`busybox httpd -f -vv -p
 * 127.0.0.1:PORT -h ROOT`). CGI programs go in `ROOT/cgi-bin/` and must be executable; busybox
 * runs them as the current user with its own environment plus the CGI variables.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { requireToolOrThrow } from './tools.js';
import { type ConfigSource, renderConfig, startWebServer, type WebServer } from './webserver.js';

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
      const args = ['httpd', '-f', '-vv', '-p', `127.0.0.1:${ctx.port}`, '-h', root];
      if (options.config !== undefined) {
        writeFileSync(`${ctx.dir}/httpd.conf`, `${renderConfig(options.config, ctx)}\n`);
        args.push('-c', `${ctx.dir}/httpd.conf`);
      }
      return args;
    },
  });
}
