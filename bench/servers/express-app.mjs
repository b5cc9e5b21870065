// The Express 5 app both Express subjects serve (scenarios/express.mjs, issue 19): the same
// bytes as every other server (common.mjs), written the usual Express way.
import express from 'express';
import { HELLO } from './common.mjs';

const HELLO_BUF = Buffer.from(HELLO);

export function expressApp(workload) {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  if (workload === 'hello') {
    app.all('/{*path}', (_req, res) => {
      res.type('text/plain').send(HELLO_BUF);
    });
  } else if (workload === 'echo') {
    app.all('/{*path}', (req, res) => {
      res.type('application/octet-stream');
      req.pipe(res);
    });
  } else {
    throw new Error(`express bench: no ${workload} workload`);
  }
  return app;
}
