/**
 * `tsgi fastcgi APP`: serve an application as a FastCGI responder with `@tsgi/fastcgi`, on TCP,
 * a Unix socket, or the listening socket a web server passes on fd 0 (lighttpd `bin-path`,
 * spawn-fcgi, `cgi-fcgi -start`).
 */
import { type FastCGIServerOptions, serveFastCGI } from '@tsgi/fastcgi';
import {
  parseCommandArgs,
  parseInteger,
  parseServerArgs,
  SERVER_FLAGS,
  SERVER_FLAGS_HELP,
} from '../_args.js';
import { gatewayOptions, runGatewayServer } from '../_socket-server.js';

/** Where FastCGI listens when there is neither `--bind` nor a socket on fd 0 (php-fpm's port). */
const DEFAULT_FASTCGI_BIND = '127.0.0.1:9000';

export const summary = 'serve APP as a FastCGI application (nginx, Apache, lighttpd)';

export const usage = `Usage: tsgi fastcgi APP [options]

Serve a TSGI application as a FastCGI 1.0 responder behind a web server.

APP is a module path (app.js, src/app.ts) or a package specifier (@scope/pkg/app),
optionally followed by :exportName (default: the default export, else the export 'app').

Without --bind, tsgi listens on the socket on fd 0 when there is one (a web server that
spawns FastCGI applications, such as lighttpd with bin-path, puts it there), else on
${DEFAULT_FASTCGI_BIND}.

Options:
  -b, --bind ADDR            HOST:PORT, [IPV6]:PORT or unix:PATH
  -w, --workers N            run N worker processes sharing the socket (default 1)
      --script-name PATH     mount point: SCRIPT_NAME is PATH and PATH_INFO the rest of
                             REQUEST_URI, whatever split the web server made (e.g. /app)
      --max-body-size SIZE   answer 413 to request bodies over SIZE (e.g. 10m)
      --max-conns N          concurrent connections (default 1024)
      --max-reqs N           concurrent requests (default 4096)
      --no-multiplex         one request at a time per connection (FCGI_MPXS_CONNS=0)
      --read-timeout MS      close a connection stalled inside a record or its PARAMS
                             for MS (default 10000)
      --idle-timeout MS      close a connection with no request in flight for MS
                             (default 75000, longer than nginx's upstream keepalive 60 s)
${SERVER_FLAGS_HELP}

Examples:
  tsgi fastcgi app.js --bind 127.0.0.1:9000      # nginx: fastcgi_pass 127.0.0.1:9000;
  tsgi fastcgi app.js --bind unix:/run/app.sock  # nginx: fastcgi_pass unix:/run/app.sock;
  tsgi fastcgi app.js                            # lighttpd: "bin-path" => "tsgi fastcgi app.js"
`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('fastcgi', argv, {
    ...SERVER_FLAGS,
    'max-conns': { type: 'string' },
    'max-reqs': { type: 'string' },
    'no-multiplex': { type: 'boolean' },
    'read-timeout': { type: 'string' },
    'idle-timeout': { type: 'string' },
  });
  if (values.help === true) {
    process.stdout.write(usage);
    return 0;
  }
  const args = parseServerArgs('fastcgi', values, positionals);
  const plan = gatewayOptions(values.bind, args, DEFAULT_FASTCGI_BIND);
  const options: FastCGIServerOptions = plan.options;
  if (values['max-conns'] !== undefined)
    options.maxConns = parseInteger('--max-conns', values['max-conns'], 1, 1_000_000);
  if (values['max-reqs'] !== undefined)
    options.maxReqs = parseInteger('--max-reqs', values['max-reqs'], 1, 1_000_000);
  if (values['no-multiplex'] === true) options.multiplex = false;
  // ADP-FCGI-24 (issue 22).
  if (values['read-timeout'] !== undefined)
    options.readTimeout = parseInteger('--read-timeout', values['read-timeout'], 1, 3_600_000);
  if (values['idle-timeout'] !== undefined)
    options.idleTimeout = parseInteger('--idle-timeout', values['idle-timeout'], 1, 3_600_000);
  return runGatewayServer('FastCGI', args, plan, (app) => serveFastCGI(app, options));
}
