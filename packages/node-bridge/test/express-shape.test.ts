/**
 * The fields Express writes to `req` and `res` after `Object.setPrototypeOf(req, app.request)`
 * are already own properties of the bridge's objects, so each write is a field store rather than
 * a new hidden class (2 to 5 µs each in V8; the reason the bridge ran Express hello world at 0.75×
 * of Express on node:http, and above 1× with them declared: `node bench/run.mjs --only express`).
 * The values are what the objects read as when the fields are absent, so Express and every other
 * framework see the same values as on node's own objects.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from '@tsgi/core/testing';
import { fromNodeHandler } from '@tsgi/node-bridge';
import express from 'express';
import { describe, expect, it } from 'vitest';

/** The string keys a handler added to `req` and `res` by the time the response finished. */
async function addedKeys(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  path = '/items/7?x=1',
): Promise<{ req: string[]; res: string[]; body: string }> {
  let req0: Set<PropertyKey> = new Set();
  let res0: Set<PropertyKey> = new Set();
  let added = { req: [] as string[], res: [] as string[] };
  let finished: () => void = () => {};
  const finish = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const app = fromNodeHandler((req, res) => {
    req0 = new Set(Reflect.ownKeys(req));
    res0 = new Set(Reflect.ownKeys(res));
    res.once('finish', () => {
      const fresh = (o: object, before: Set<PropertyKey>) =>
        Reflect.ownKeys(o).filter((k): k is string => typeof k === 'string' && !before.has(k));
      added = { req: fresh(req, req0), res: fresh(res, res0) };
      finished();
    });
    handler(req, res);
  });
  const got = await request(app, { path });
  await finish; // node emits 'finish' once the engine released the last chunk (BODY-19)
  return { ...added, body: got.text() };
}

describe('fromNodeHandler: what Express writes after swapping the prototypes is declared', () => {
  it('an Express route adds no string-keyed field after the swap (only req.res, set before it)', async () => {
    const app = express();
    app.get('/items/:id', (req, res) => {
      res.locals.seen = true;
      res.json({ id: req.params.id, base: req.baseUrl, url: req.originalUrl, q: req.query.x });
    });
    const got = await addedKeys(app);
    expect(JSON.parse(got.body)).toEqual({ id: '7', base: '', url: '/items/7?x=1', q: '1' });
    // `req.res = res` comes before Express's Object.setPrototypeOf: an ordinary, shared transition.
    expect(got.req).toEqual(['res']);
    expect(got.res).toEqual([]);
  });

  it('the declared fields read as absent ones do: a plain handler sees node defaults', async () => {
    const got = await addedKeys((req, res) => {
      const r = req as IncomingMessage & Record<string, unknown>;
      const s = res as ServerResponse & Record<string, unknown>;
      res.end(
        JSON.stringify([
          r.next,
          r.params,
          r.route,
          r._parsedUrl,
          r.originalUrl,
          r.baseUrl,
          s.locals,
          res.statusCode,
          res.statusMessage,
        ]),
      );
    }, '/');
    expect(JSON.parse(got.body)).toEqual([null, null, null, null, null, null, null, 200, null]);
  });
});
