#!/usr/bin/env node
// `tsgi cgi APP` under a web server runs once per request, so it skips the CLI and loads the
// one-module request path (ADP-CGI-16; see src/_cgi-request.ts). Everything else: dist/main.js.
const argv = process.argv.slice(2);
if (argv[0] === 'cgi' && process.env.REQUEST_METHOD && argv[1] !== '--help' && argv[1] !== '-h') {
  let entry;
  try {
    entry = await import('../dist/_cgi-request.bundle.js');
  } catch (err) {
    // A build without the bundle (tsc alone): the same code, as separate modules.
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('bundle')) throw err;
    entry = await import('../dist/_cgi-request.js');
  }
  process.exit(await entry.runCgiRequest(argv.slice(1)));
} else {
  const { main } = await import('../dist/main.js');
  process.exit(await main(argv));
}
