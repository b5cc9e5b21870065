/**
 * Starts busybox httpd on 127.0.0.1 in the foreground, with the command line of the recipe
 * docs/recipes/busybox-httpd.sh (`busybox httpd -f -vv -p 127.0.0.1:8080 -h /srv/tsgi/www`),
 * its address and document root mapped to the test's. CGI programs go in `ROOT/cgi-bin/` and
 * must be executable; busybox runs them as the current user with its own environment plus the
 * CGI variables.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { requireToolOrThrow } from './tools.js';
import {
  type ConfigContext,
  type ConfigSource,
  renderConfig,
  startWebServer,
  type WebServer,
} from './webserver.js';

/** The recipe: a shell file whose one command starts busybox httpd. */
export const BUSYBOX_RECIPE = 'busybox-httpd.sh';

/** The recipe's one command line, split into words after `busybox` (it quotes nothing). */
function _args(text: string): string[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  if (lines.length !== 1 || !lines[0]!.startsWith('busybox httpd '))
    throw new Error(`${BUSYBOX_RECIPE}: expected one "busybox httpd ..." line, got ${lines}`);
  return lines[0]!.trim().split(/\s+/).slice(1);
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
  const root = (ctx: ConfigContext): string => options.root ?? `${ctx.dir}/www`;
  return startWebServer({
    name: 'busybox-httpd',
    command,
    ...(options.dir === undefined ? {} : { dir: options.dir }),
    recipes: [
      {
        name: BUSYBOX_RECIPE,
        values: (ctx) => ({
          '127.0.0.1:8080': `127.0.0.1:${ctx.port}`,
          '/srv/tsgi/www': root(ctx),
        }),
      },
    ],
    prepare: (ctx, rendered) => {
      mkdirSync(`${root(ctx)}/cgi-bin`, { recursive: true });
      const args = _args(readFileSync(rendered[0]!.path, 'utf8'));
      if (options.config !== undefined) {
        writeFileSync(`${ctx.dir}/httpd.conf`, `${renderConfig(options.config, ctx)}\n`);
        args.push('-c', `${ctx.dir}/httpd.conf`);
      }
      return args;
    },
  });
}
