/**
 * Loaded with `node --import` before Express's own mocha suite (scripts/express-suite.mjs): every
 * `http.createServer(handler)` the suite makes (supertest's `request(app)`, `app.listen()`) gets
 * a node:http server whose request listener is `@tsgi/node`'s `createRequestListener` (the
 * listener `serve()` and `tsgi serve` run) over `fromNodeHandler(handler)`. So each Express app
 * in the suite is served through the bridge and the TSGI engine, unmodified.
 */
import http from 'node:http';
import { createRequestListener } from '@tsgi/node';
import { fromNodeHandler } from '@tsgi/node-bridge';

const createServer = http.createServer;

http.createServer = function bridgedCreateServer(options, handler) {
  let opts = options;
  let fn = handler;
  if (typeof opts === 'function') {
    fn = opts;
    opts = {};
  }
  if (typeof fn !== 'function') return createServer.call(http, opts ?? {}, fn);
  const listener = createRequestListener(fromNodeHandler(fn), {
    errors: (text) => {
      if (process.env.TSGI_SUITE_VERBOSE) process.stderr.write(text);
    },
  });
  const server = createServer.call(http, opts ?? {}, listener);
  // ADP-NODE-03: as serve() does, Expect: 100-continue requests reach the same listener.
  server.on('checkContinue', listener);
  return server;
};
