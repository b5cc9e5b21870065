/**
 * The web-server configurations the CGI tests run behind. The README shows these same
 * snippets (with `/srv/tsgi/cgi-bin` for the cgi-bin directory); readme.test.ts checks that.
 * The docs site's deployment guide embeds the `docs:begin` regions as written (docs/README.md).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import {
  startApache,
  startBusyboxHttpd,
  startLighttpd,
  stripDocsMarkers,
  type WebServer,
} from '@tsgi/harness';

/** The cgi-bin directory the README's configs use. */
export const README_CGI_BIN = '/srv/tsgi/cgi-bin';

/**
 * Apache httpd 2.4, mod_cgid (Debian's choice under the threaded event MPM), `LoadModule`s aside.
 * The `# docs:` lines mark it for the deployment guide (docs/guides/03-deployers.md).
 */
export function apacheConfig(cgiBin: string): string {
  return stripDocsMarkers(`
# docs:begin apache-cgi
ScriptAlias /cgi-bin/ ${cgiBin}/
<Directory ${cgiBin}>
  Require all granted
</Directory>
# docs:end apache-cgi
`).trim();
}

/**
 * lighttpd 1.4, mod_cgi plus mod_alias: every file under /cgi-bin/ runs as a program.
 * The `# docs:` lines mark it for the deployment guide (docs/guides/03-deployers.md).
 */
export function lighttpdConfig(cgiBin: string): string {
  return stripDocsMarkers(`
# docs:begin lighttpd-cgi
alias.url += ( "/cgi-bin/" => "${cgiBin}/" )
$HTTP["url"] =~ "^/cgi-bin/" {
  cgi.assign = ( "" => "" )
}
# docs:end lighttpd-cgi
`).trim();
}

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
      config: (ctx) => apacheConfig(`${ctx.dir}/cgi-bin`),
    });
    cgiBin = `${server.dir}/cgi-bin`;
    runAs = process.getuid?.() === 0 ? 'www-data' : undefined;
  } else if (kind === 'lighttpd') {
    server = await startLighttpd({
      modules: ['mod_alias', 'mod_cgi'],
      config: (ctx) => lighttpdConfig(`${ctx.dir}/cgi-bin`),
    });
    cgiBin = `${server.dir}/cgi-bin`;
  } else {
    // busybox httpd runs ROOT/cgi-bin/* as CGI programs; no config needed.
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

/** The two-line wrapper of the README: run a Node script (or `tsgi cgi APP`) with an absolute path. */
export function shellWrapper(command: string): string {
  return `#!/bin/sh\nexec ${command}\n`;
}
