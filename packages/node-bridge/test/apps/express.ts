/**
 * An Express 5 app written as Express's own guide teaches (routing, `express.Router` mounted with
 * `app.use`, `express.text`, `res.cookie`, an error-handling middleware), served unmodified
 * through `fromNodeHandler`. The routes are the decoupling script's (examples/decoupling.ts) and
 * this package's extras (test/matrix.ts).
 */
import { fromNodeHandler } from '@tsgi/node-bridge';
import express from 'express';

export const app = express();

app.get('/', (_req, res) => {
  res.type('text/plain').send('Hello from Express on TSGI\n');
});

app.all('/echo', express.text({ type: '*/*' }), (req, res) => {
  res.json({
    method: req.method,
    path: req.path,
    query: req.query,
    header: req.get('x-echo') ?? null,
    body: typeof req.body === 'string' ? req.body : '',
  });
});

app.get('/stream', async (_req, res) => {
  res.type('text/plain');
  for (let i = 1; i <= 3; i++) {
    res.write(`chunk ${i}\n`);
    if (i < 3) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  res.end();
});

app.get('/cookies', (_req, res) => {
  res.cookie('a', '1');
  res.cookie('b', '2', { httpOnly: true });
  res.type('text/plain').send('cookies set\n');
});

app.get('/users/:id', (req, res) => {
  res.json({ id: req.params.id });
});

app.get('/error', () => {
  throw new Error('boom');
});

const api = express.Router();
api.get('/hello', (req, res) => {
  res.json({ baseUrl: req.baseUrl, path: req.path, originalUrl: req.originalUrl });
});
app.use('/api', api);

// Express's guide, "Writing error handlers".
app.use(
  (_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).type('text/plain').send('Something broke!\n');
  },
);

export default fromNodeHandler(app);
