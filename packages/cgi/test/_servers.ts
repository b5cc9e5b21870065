/**
 * The web servers the CGI tests run behind, each started from the deployers' guide's recipe
 * (docs/recipes/apache-cgi.conf, lighttpd-cgi.conf, busybox-httpd.sh), rendered by the harness
 * with the test's cgi-bin directory for `/srv/tsgi/cgi-bin`. The README shows the same files
 * (readme.test.ts checks that).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import {
  type RecipeValues,
  renderRecipe,
  startApache,
  startBusyboxHttpd,
  startLighttpd,
  type WebServer,
} from '@tsgi/harness';

/** The recipes' cgi-bin directory, which the tests map to their own. */
export const RECIPE_CGI_BIN = '/srv/tsgi/cgi-bin';

/** The recipes a CGI server kind starts from. */
export const CGI_RECIPES = {
  apache: 'apache-cgi.conf',
  lighttpd: 'lighttpd-cgi.conf',
  busybox: 'busybox-httpd.sh',
} as const;

/** The servers under test. */
export type ServerKind = 'apache' | 'lighttpd' | 'busybox';

/** A started server and its cgi-bin directory. */
export interface CgiServer {
  kind: ServerKind;
  server: WebServer;
  port: number;
  cgiBin: string;
  /** Writes an executable into cgi-bin. */
  install(name: string, text: string): void;
  /** The user CGI programs run as when it differs from ours (Apache started as root). */
  runAs: string | undefined;
}

/**
 * True when `user` can read `file` (and traverse its directories). Apache runs CGI programs as
 * www-data; a checkout under a private directory (such as /root) is out of its reach.
 */
export function readableBy(user: string, file: string): boolean {
  const r = spawnSync('runuser', ['-u', user, '--', 'test', '-r', file], { stdio: 'ignore' });
  return r.status === 0;
}

/** Starts one server kind with a cgi-bin directory readable by its workers. */
export async function startCgiServer(kind: ServerKind): Promise<CgiServer> {
  let server: WebServer;
  let cgiBin: string;
  let runAs: string | undefined;
  if (kind === 'apache') {
    // As root, Apache runs its children (and mod_cgid's scripts) as www-data: the harness dir
    // is mode 0755 and the scripts 0755, so www-data can read and run them.
    server = await startApache({
      modules: ['alias', 'cgid'],
      recipes: [
        {
          name: CGI_RECIPES.apache,
          values: ({ port, dir }) => ({
            '<VirtualHost *:80>': `<VirtualHost *:${port}>`,
            [RECIPE_CGI_BIN]: `${dir}/cgi-bin`,
          }),
        },
      ],
    });
    cgiBin = `${server.dir}/cgi-bin`;
    runAs = process.getuid?.() === 0 ? 'www-data' : undefined;
  } else if (kind === 'lighttpd') {
    server = await startLighttpd({
      recipes: [
        {
          name: CGI_RECIPES.lighttpd,
          values: ({ dir }) => ({ [RECIPE_CGI_BIN]: `${dir}/cgi-bin` }),
        },
      ],
    });
    cgiBin = `${server.dir}/cgi-bin`;
  } else {
    // busybox httpd runs ROOT/cgi-bin/* as CGI programs; the harness starts it from its recipe.
    server = await startBusyboxHttpd();
    cgiBin = `${server.dir}/www/cgi-bin`;
  }
  mkdirSync(cgiBin, { recursive: true });
  chmodSync(cgiBin, 0o755);
  return {
    kind,
    server,
    port: server.port,
    cgiBin,
    runAs,
    install(name, text) {
      writeFileSync(`${cgiBin}/${name}`, text);
      chmodSync(`${cgiBin}/${name}`, 0o755);
    },
  };
}

/** A two-line wrapper: run a Node script with an absolute path. */
export function shellWrapper(command: string): string {
  return `#!/bin/sh\nexec ${command}\n`;
}

/**
 * The recipe's wrapper (docs/recipes/cgi-wrapper.sh) with the tsgi command and the app it runs
 * mapped to this machine's (`tsgi` is `node .../tsgi.cjs` here).
 */
export function recipeWrapper(tsgi: string, app: string): { text: string; values: RecipeValues } {
  const values = { '/usr/local/bin/tsgi': tsgi, '/srv/tsgi/app.mjs': app };
  return { text: renderRecipe('cgi-wrapper.sh', values), values };
}
