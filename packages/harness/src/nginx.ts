/**
 * Starts nginx on 127.0.0.1 with a generated config (`nginx -p DIR -c DIR/nginx.conf -g 'daemon
 * off;'`). What goes inside `http { }` is a recipe of docs/recipes/ (a whole `server` block,
 * included as a deployer's sites-enabled file is) and/or the caller's own server blocks, which
 * listen on `127.0.0.1:${port}`.
 */
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { requireToolOrThrow } from './tools.js';
import {
  type ConfigSource,
  isRoot,
  type RecipeUse,
  renderConfig,
  startWebServer,
  type WebServer,
} from './webserver.js';

/**
 * Debian's parameter files, copied next to nginx.conf: a recipe's `include fastcgi_params;` is
 * relative to the config's directory, which here is the temp dir, not /etc/nginx.
 */
const _PARAMS = ['fastcgi_params', 'scgi_params'];

/** Options for `startNginx`. */
export interface NginxOptions {
  /** More of the `http { }` block (server blocks, upstreams), after the recipes. */
  config?: ConfigSource;
  /** Recipes included in `http { }` (each a server block listening on `listen 80;`). */
  recipes?: readonly RecipeUse[];
  /** Extra top-level directives (e.g. `worker_rlimit_nofile 4096;`). */
  main?: string;
  /**
   * The user nginx's workers run as when the test runs as root. Default `root`, so they reach
   * sockets and files anywhere; `www-data`, as on Debian, checks a recipe's socket permissions.
   */
  user?: string;
  /** `worker_processes`. Default 1. */
  workers?: number;
  /** Use this (existing) dir instead of a fresh temp dir. */
  dir?: string;
}

/** Starts nginx; resolves once it accepts connections. */
export function startNginx(options: NginxOptions): Promise<WebServer> {
  const command = requireToolOrThrow('nginx');
  return startWebServer({
    name: 'nginx',
    command,
    logs: ['error.log'],
    ...(options.dir === undefined ? {} : { dir: options.dir }),
    recipes: options.recipes,
    prepare: (ctx, rendered) => {
      const { dir } = ctx;
      for (const p of _PARAMS)
        if (existsSync(`/etc/nginx/${p}`)) copyFileSync(`/etc/nginx/${p}`, `${dir}/${p}`);
      const conf = `${isRoot ? `user ${options.user ?? 'root'};\n` : ''}worker_processes ${options.workers ?? 1};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
${options.main ?? ''}
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  fastcgi_temp_path ${dir}/fastcgi_temp;
  proxy_temp_path ${dir}/proxy_temp;
  scgi_temp_path ${dir}/scgi_temp;
  uwsgi_temp_path ${dir}/uwsgi_temp;
${rendered.map((r) => `  include ${r.path};\n`).join('')}${renderConfig(options.config ?? '', ctx)}
}
`;
      writeFileSync(`${dir}/nginx.conf`, conf);
      return [
        '-e',
        `${dir}/error.log`,
        '-p',
        `${dir}/`,
        '-c',
        `${dir}/nginx.conf`,
        '-g',
        'daemon off;',
      ];
    },
  });
}
