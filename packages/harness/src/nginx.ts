/**
 * Starts nginx on 127.0.0.1 with a generated config (`nginx -p DIR -c DIR/nginx.conf -g 'daemon
 * off;'`). The caller writes what goes inside `http { }`, including a `server` block that
 * listens on `127.0.0.1:${port}`.
 */
import { writeFileSync } from 'node:fs';
import { requireToolOrThrow } from './tools.js';
import {
  type ConfigSource,
  isRoot,
  renderConfig,
  startWebServer,
  type WebServer,
} from './webserver.js';

/** Options for `startNginx`. */
export interface NginxOptions {
  /** The body of the `http { }` block (server blocks, upstreams, fastcgi or scgi settings). */
  config: ConfigSource;
  /** Extra top-level directives (e.g. `worker_rlimit_nofile 4096;`). */
  main?: string;
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
    prepare: (ctx) => {
      const { dir } = ctx;
      const conf = `${isRoot ? 'user root;\n' : ''}worker_processes ${options.workers ?? 1};
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
${renderConfig(options.config, ctx)}
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
