/**
 * Starts lighttpd on 127.0.0.1 with a generated config (`lighttpd -D -f DIR/lighttpd.conf`).
 * The document root is `DIR/htdocs`; the error log is `DIR/error.log`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { requireToolOrThrow } from './tools.js';
import {
  type ConfigSource,
  type RecipeUse,
  renderConfig,
  startWebServer,
  type WebServer,
} from './webserver.js';

/** Options for `startLighttpd`. */
export interface LighttpdOptions {
  /** Modules to load (`mod_fastcgi`, `mod_scgi`, `mod_cgi`, `mod_alias`, ...). */
  modules?: readonly string[];
  /** Directives appended after the generated base config and the recipes. */
  config?: ConfigSource;
  /** Recipes `include`d after the base config (each loads its modules with `+=`). */
  recipes?: readonly RecipeUse[];
  /** Use this (existing) dir instead of a fresh temp dir. */
  dir?: string;
}

/** Starts lighttpd; resolves once it accepts connections. */
export function startLighttpd(options: LighttpdOptions): Promise<WebServer> {
  const command = requireToolOrThrow('lighttpd');
  return startWebServer({
    name: 'lighttpd',
    command,
    logs: ['error.log'],
    ...(options.dir === undefined ? {} : { dir: options.dir }),
    recipes: options.recipes,
    prepare: (ctx, rendered) => {
      const { dir, port } = ctx;
      mkdirSync(`${dir}/htdocs`, { recursive: true });
      const modules = (options.modules ?? []).map((m) => `"${m}"`).join(', ');
      const conf = `server.port = ${port}
server.bind = "127.0.0.1"
server.document-root = "${dir}/htdocs"
server.errorlog = "${dir}/error.log"
server.modules = ( ${modules} )
${rendered.map((r) => `include "${r.path}"\n`).join('')}${renderConfig(options.config ?? '', ctx)}
`;
      writeFileSync(`${dir}/lighttpd.conf`, conf);
      return ['-D', '-f', `${dir}/lighttpd.conf`];
    },
  });
}
