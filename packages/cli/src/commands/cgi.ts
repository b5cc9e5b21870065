/**
 * `tsgi cgi APP`: handles the one CGI/1.1 request of this process (RFC 3875) with `@tsgi/cgi`.
 * `HTTP_PROXY` is deleted from `process.env` before APP is loaded (httpoxy, ADP-CGI-04), and
 * APP is not loaded at all when `REQUEST_METHOD` is missing (ADP-CGI-06).
 *
 * Under a web server (REQUEST_METHOD set) the arguments after APP are ignored (ADP-CGI-12):
 * Apache turns a query without `=` into command-line arguments, so a wrapper that forwarded
 * "$@" would otherwise let a client pass options.
 */
import { EXIT_NOT_CGI, stripHttpProxy } from '@tsgi/cgi';
import { resolveAppModule, splitAppSpec } from '../_app.js';
import { firstLine, parseCommandArgs, UsageError } from '../_args.js';
import { runCgiRequest } from '../_cgi-request.js';

export const summary = 'Handle one CGI request (for a wrapper script in cgi-bin)';

export const usage = `Usage: tsgi cgi APP
       tsgi cgi --bundle APP -o FILE [--minify]
       tsgi cgi --snapshot APP -o FILE.blob

Runs APP for the one CGI/1.1 request of this process, as a web server starts it from
cgi-bin: the request comes from the environment and standard input, the response goes to
standard output, diagnostics to standard error. A two-line wrapper in cgi-bin:

  #!/bin/sh
  exec tsgi cgi /srv/tsgi/app.js

APP is a module path, optionally followed by :exportName (default: the default export).
HTTP_PROXY is removed from the environment before APP is loaded. Scripts named nph-* write
a complete HTTP response (non-parsed headers). Arguments after APP are ignored.

Options (not under a web server):
  --bundle      write APP, @tsgi/cgi and @tsgi/core into one executable file FILE that
                runs the request by itself and starts faster (needs esbuild)
  --snapshot    build a V8 start-up snapshot FILE holding APP, @tsgi/cgi and @tsgi/core,
                run by a wrapper as: exec /path/to/node --snapshot-blob FILE
                (fastest; APP's module-level code runs now, at build time, and only
                this Node binary can run FILE; needs esbuild)
  -o, --outfile FILE   where --bundle writes: no extension (cgi-bin/app) or .mjs;
                where --snapshot writes the blob
  --minify      minify the bundle
  -h, --help    show this help

Exit status: 0 after a complete response, 1 when it was cut short, 2 when REQUEST_METHOD
is not set (not started as a CGI script) or on a usage error.`;

export async function run(argv: string[]): Promise<number | void> {
  // First of all, before any application code is loaded (ADP-CGI-04).
  stripHttpProxy();
  // Under a web server: the request path that bin/tsgi.cjs also takes directly (ADP-CGI-16).
  if (process.env.REQUEST_METHOD) return runCgiRequest(argv);
  const { values, positionals } = parseCommandArgs('cgi', argv, {
    help: { type: 'boolean', short: 'h' },
    bundle: { type: 'boolean' },
    snapshot: { type: 'boolean' },
    outfile: { type: 'string', short: 'o' },
    minify: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (values.bundle && values.snapshot)
    throw new UsageError('cgi: --bundle and --snapshot are two ways to build; choose one');
  if (values.bundle || values.snapshot) {
    const flag = values.bundle ? '--bundle' : '--snapshot';
    const spec = positionals[0];
    if (spec === undefined || positionals.length > 1)
      throw new UsageError(`cgi ${flag}: give exactly one APP`);
    if (values.outfile === undefined)
      throw new UsageError(`cgi ${flag}: give the output file with -o FILE`);
    const { module, exportName } = splitAppSpec(spec);
    if (values.snapshot)
      return _snapshot(resolveAppModule(module, process.cwd()), exportName, values.outfile);
    const { bundleCGI } = await import('@tsgi/cgi/bundle');
    let result: { outfile: string; bytes: number };
    try {
      result = await bundleCGI({
        app: resolveAppModule(module, process.cwd()),
        exportName,
        outfile: values.outfile,
        minify: values.minify === true,
      });
    } catch (err) {
      throw new UsageError(`cgi --bundle: ${firstLine(err)}`);
    }
    process.stderr.write(`tsgi cgi: wrote ${result.outfile} (${result.bytes} bytes)\n`);
    return 0;
  }
  // ADP-CGI-06: not started as a CGI script; APP is not loaded.
  process.stderr.write(
    "tsgi cgi: REQUEST_METHOD is not set, so this is not a CGI request; run it from a web server's cgi-bin (see tsgi cgi --help)\n",
  );
  return EXIT_NOT_CGI;
}

async function _snapshot(
  app: string,
  exportName: string | undefined,
  outfile: string,
): Promise<number> {
  const { snapshotCGI } = await import('@tsgi/cgi/bundle');
  let result: { outfile: string; bytes: number; node: string };
  try {
    result = await snapshotCGI({ app, exportName, outfile });
  } catch (err) {
    throw new UsageError(`cgi --snapshot: ${firstLine(err)}`);
  }
  process.stderr.write(
    `tsgi cgi: wrote ${result.outfile} (${result.bytes} bytes); the cgi-bin wrapper:\n\n#!/bin/sh\nexec ${result.node} --snapshot-blob ${result.outfile}\n`,
  );
  return 0;
}
