/**
 * `tsgi scgi APP`: serve an application over SCGI with `@tsgi/scgi` (nginx `scgi_pass`, Apache
 * `mod_proxy_scgi`, lighttpd `mod_scgi`), on TCP, a Unix socket, or a listening socket on fd 0.
 */
import { type SCGIServerOptions, serveSCGI } from '@tsgi/scgi';
import {
  parseCommandArgs,
  parseInteger,
  parseServerArgs,
  parseSize,
  SERVER_FLAGS,
  SERVER_FLAGS_HELP,
} from '../_args.js';
import { gatewayOptions, runGatewayServer } from '../_socket-server.js';

/** Where SCGI listens when there is neither `--bind` nor a socket on fd 0 (python-scgi's port). */
const DEFAULT_SCGI_BIND = '127.0.0.1:4000';

export const summary = 'serve APP over SCGI (nginx, Apache, lighttpd)';

export const usage = `Usage: tsgi scgi APP [options]

Serve a TSGI application over SCGI (one request per connection) behind a web server.

APP is a module path (app.js, src/app.ts) or a package specifier (@scope/pkg/app),
optionally followed by :exportName (default: the default export, else the export 'app').

Without --bind, tsgi listens on the socket on fd 0 when there is one, else on
${DEFAULT_SCGI_BIND}.

Options:
  -b, --bind ADDR            HOST:PORT, [IPV6]:PORT or unix:PATH
  -w, --workers N            run N worker processes sharing the socket (default 1)
      --script-name PATH     mount point: SCRIPT_NAME is PATH and PATH_INFO the rest of
                             REQUEST_URI (nginx sends neither; Apache sends the whole path
                             as SCRIPT_NAME), e.g. /app
      --max-body-size SIZE   answer 413 to request bodies over SIZE (e.g. 10m)
      --max-header-size SIZE largest netstring of headers (default 64k)
      --max-conns N          concurrent connections, that is requests (default 1024)
      --read-timeout MS      how long a request may stall before it is refused (default 30000)
${SERVER_FLAGS_HELP}

Examples:
  tsgi scgi app.js --bind 127.0.0.1:4000 --script-name /app  # nginx: scgi_pass 127.0.0.1:4000;
  tsgi scgi app.js --bind unix:/run/app.sock                 # nginx: scgi_pass unix:/run/app.sock;
`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('scgi', argv, {
    ...SERVER_FLAGS,
    'max-header-size': { type: 'string' },
    'max-conns': { type: 'string' },
    'read-timeout': { type: 'string' },
  });
  if (values.help === true) {
    process.stdout.write(usage);
    return 0;
  }
  const args = parseServerArgs('scgi', values, positionals);
  const plan = gatewayOptions(values.bind, args, DEFAULT_SCGI_BIND);
  const options: SCGIServerOptions = plan.options;
  if (values['max-header-size'] !== undefined)
    options.maxHeaderSize = parseSize('--max-header-size', values['max-header-size']);
  if (values['max-conns'] !== undefined)
    options.maxConns = parseInteger('--max-conns', values['max-conns'], 1, 1_000_000);
  if (values['read-timeout'] !== undefined)
    options.readTimeout = parseInteger('--read-timeout', values['read-timeout'], 1, 86_400_000);
  return runGatewayServer('SCGI', args, plan, (app) => serveSCGI(app, options));
}
