#!/usr/bin/env node
// Installs the Debian packages the test suite drives (real web servers and clients) when they
// are missing. CI starts from a fresh machine, so `pnpm test` must bring its own dependencies.
// Only Debian's apt is used; nothing is downloaded from anywhere else.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** binary → Debian package */
const NEEDED = {
  nginx: 'nginx',
  apache2: 'apache2',
  lighttpd: 'lighttpd',
  busybox: 'busybox',
  'cgi-fcgi': 'libfcgi-bin',
  curl: 'curl',
  chromium: 'chromium', // the docs site test (docs/test) drives it with playwright-core
  'systemd-socket-activate': 'systemd', // the CLI's socket-activation test (LISTEN_FDS)
  openssl: 'openssl', // the CLI's HTTPS test makes a self-signed certificate
};
const DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/bin', '/usr/local/sbin'];
const extra = process.argv.slice(2); // e.g. `wrk php-fpm` for benchmarks: binary=package pairs
for (const arg of extra) {
  const [bin, pkg] = arg.split('=');
  NEEDED[bin] = pkg ?? bin;
}

const missing = Object.entries(NEEDED).filter(
  ([bin]) => !DIRS.some((d) => existsSync(`${d}/${bin}`)),
);
if (missing.length === 0) process.exit(0);
const pkgs = [...new Set(missing.map(([, pkg]) => pkg))];
if (
  typeof process.getuid !== 'function' ||
  process.getuid() !== 0 ||
  spawnSync('apt-get', ['--version']).status !== 0
) {
  console.warn(
    `ensure-system-deps: missing ${pkgs.join(', ')}; not root or no apt-get, so the tests that need them will skip (or fail under CI=true).`,
  );
  process.exit(0);
}
console.log(`ensure-system-deps: installing ${pkgs.join(' ')} with apt-get`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], {
  stdio: 'inherit',
  env,
});
// Debian starts some daemons on install (nginx, apache2, lighttpd on :80); the tests start
// their own on loopback ports, so stop the system ones to keep the machine quiet.
for (const svc of ['nginx', 'apache2', 'lighttpd'])
  spawnSync('service', [svc, 'stop'], { stdio: 'ignore' });
