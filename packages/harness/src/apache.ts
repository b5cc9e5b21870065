/**
 * Starts Apache httpd on 127.0.0.1 with a generated config (`apache2 -f DIR/httpd.conf
 * -DFOREGROUND`). ServerRoot, PidFile, ErrorLog, Listen, Mutex and DefaultRuntimeDir point into
 * the temp dir; as root, children run as www-data (so CGI scripts and sockets they use must be
 * readable by that user: the temp dir is mode 0755).
 */
import { writeFileSync } from 'node:fs';
import { requireToolOrThrow } from './tools.js';
import {
  type ConfigSource,
  isRoot,
  type RecipeUse,
  renderConfig,
  startWebServer,
  type WebServer,
} from './webserver.js';

/** Where Debian keeps Apache's modules. */
export const APACHE_MODULE_DIR = '/usr/lib/apache2/modules';

/** Options for `startApache`. */
export interface ApacheOptions {
  /**
   * Modules to load, by short name (`proxy`, `proxy_fcgi`, `proxy_scgi`, `cgid`, `alias`,
   * `setenvif`, `env`, `rewrite`, `headers`, ...). `mpm_event` (unless another mpm is listed) and `authz_core` are
   * always loaded.
   */
  modules?: readonly string[];
  /** Directives appended after the generated base config and the recipes. */
  config?: ConfigSource;
  /**
   * Recipes `Include`d after the base config (a `<VirtualHost *:80>` each, as a deployer's
   * sites-enabled file); the base config's `Listen` is the test port.
   */
  recipes?: readonly RecipeUse[];
  /** User/Group for the children when started as root. Default `www-data`. */
  user?: string;
  /** Use this (existing) dir instead of a fresh temp dir. */
  dir?: string;
}

function _loadModule(name: string): string {
  return `LoadModule ${name}_module ${APACHE_MODULE_DIR}/mod_${name}.so`;
}

/** Starts Apache httpd; resolves once it accepts connections. */
export function startApache(options: ApacheOptions): Promise<WebServer> {
  const command = requireToolOrThrow('apache2');
  const modules = [...(options.modules ?? [])];
  if (!modules.some((m) => m.startsWith('mpm_'))) modules.unshift('mpm_event');
  if (!modules.includes('authz_core')) modules.push('authz_core');
  const user = options.user ?? 'www-data';
  return startWebServer({
    name: 'apache',
    command,
    logs: ['error.log'],
    ...(options.dir === undefined ? {} : { dir: options.dir }),
    recipes: options.recipes,
    prepare: (ctx, rendered) => {
      const { dir, port } = ctx;
      const conf = `ServerRoot ${dir}
DefaultRuntimeDir ${dir}
PidFile ${dir}/httpd.pid
ErrorLog ${dir}/error.log
LogLevel warn
Mutex file:${dir} default
Listen 127.0.0.1:${port}
ServerName 127.0.0.1
${isRoot ? `User ${user}\nGroup ${user}\n` : ''}${[...new Set(modules)].map(_loadModule).join('\n')}
<IfModule mod_cgid.c>
ScriptSock ${dir}/cgid.sock
</IfModule>
DocumentRoot ${dir}
${rendered.map((r) => `Include ${r.path}\n`).join('')}${renderConfig(options.config ?? '', ctx)}
`;
      writeFileSync(`${dir}/httpd.conf`, conf);
      return ['-f', `${dir}/httpd.conf`, '-DFOREGROUND'];
    },
  });
}
