/** Responses through the core engine onto node:http (SR-*, BODY-*, ERR-*, ADP-NODE-02/06). */
import { createServer, type IncomingMessage } from 'node:http';
import type { Application } from '@tsgi/core';
import { createRequestListener } from '@tsgi/node';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeAll,
  enc,
  eventually,
  parseResponses,
  RawClient,
  request,
  start,
  withServer,
} from './_helpers.js';

afterEach(closeAll);

/** Sends raw requests on one connection and waits for `count` complete responses or close. */
async function exchange(
  port: number,
  raw: string,
  methods: string[],
): Promise<{ text: string; closed: boolean }> {
  const client = await RawClient.open(port);
  client.write(raw);
  const text = await client.until(
    (t) =>
      parseResponses(Buffer.from(t, 'latin1'), methods).filter((r) => r.complete).length >=
      methods.length,
  );
  const closed = client.closed;
  client.destroy();
  return { text, closed };
}

/** A body that counts how it was released. */
function trackedBody(chunks: string[], delayMs = 0) {
  const stats = { returned: 0, closed: 0, pulled: 0 };
  const body = {
    async *[Symbol.asyncIterator]() {
      try {
        for (const c of chunks) {
          stats.pulled++;
          if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
          yield enc(c);
        }
      } finally {
        stats.returned++;
      }
    },
    close() {
      stats.closed++;
    },
  };
  return { body, stats };
}

describe('responses', () => {
  it('SR-03: repeated set-cookie headers go out as separate field lines, in order', async () => {
    const server = await start((_e, startResponse) => {
      startResponse('200 OK', [
        ['set-cookie', 'a=1; Path=/'],
        ['X-Custom', 'v'],
        ['set-cookie', 'b=2, c=3'],
      ]);
      return [enc('x')];
    });
    const { text } = await exchange(server.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', ['GET']);
    const [res] = parseResponses(Buffer.from(text, 'latin1'));
    expect(
      res!.headers.filter(([k]) => k.toLowerCase() === 'set-cookie').map(([, v]) => v),
    ).toEqual(['a=1; Path=/', 'b=2, c=3']);
    expect(res!.header('x-custom')).toBe('v');
    expect(res!.header('date')).toBeDefined(); // SR-12
  });

  it('SR-05 / ENV-06: a latin-1 header value and reason phrase go out as single octets', async () => {
    const server = await start((_e, startResponse) => {
      startResponse('200 Tr\xe8s bien', [['x-name', 'caf\xe9']]);
      return [];
    });
    const client = await RawClient.open(server.port);
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.until((t) => t.includes('\r\n\r\n'));
    client.destroy();
    expect(client.data.includes(Buffer.from('200 Tr\xe8s bien\r\n', 'latin1'))).toBe(true);
    expect(client.data.includes(Buffer.from('x-name: caf\xe9\r\n', 'latin1'))).toBe(true);
  });

  it('ADP-NODE-05 / BODY-10 / APP-08: an Array body without content-length is framed with its length', async () => {
    const server = await start((_e, startResponse) => {
      startResponse('200 OK', []);
      return [enc('hello, '), enc('world')];
    });
    const { text } = await exchange(server.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', ['GET']);
    const [res] = parseResponses(Buffer.from(text, 'latin1'));
    expect(res!.header('content-length')).toBe('12');
    expect(res!.header('transfer-encoding')).toBeUndefined();
    expect(res!.body.toString()).toBe('hello, world');
  });

  it('ADP-NODE-05 / BODY-10 / BODY-02: a streamed body without content-length is sent chunked, chunk by chunk', async () => {
    const server = await start((_e, startResponse) => {
      startResponse('200 OK', [['content-type', 'text/plain']]);
      return trackedBody(['a', 'bb', 'ccc']).body;
    });
    const { text } = await exchange(server.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', ['GET']);
    const [res] = parseResponses(Buffer.from(text, 'latin1'));
    expect(res!.framing).toBe('chunked');
    expect(res!.complete).toBe(true);
    expect(res!.body.toString()).toBe('abbccc');
  });

  it('BODY-12 / BODY-18 / ADP-NODE-06: HEAD sends no body bytes, keeps content-length, and releases the body', async () => {
    const tracked = trackedBody(['hello']);
    const server = await start((_e, startResponse) => {
      startResponse('200 OK', [['content-length', '5']]);
      return tracked.body;
    });
    // A GET after the HEAD on the same connection proves no stray body bytes were sent.
    const { text } = await exchange(
      server.port,
      'HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET /missing HTTP/1.1\r\nHost: x\r\n\r\n',
      ['HEAD', 'GET'],
    );
    const [head, get] = parseResponses(Buffer.from(text, 'latin1'), ['HEAD', 'GET']);
    expect(head!.status).toBe(200);
    expect(head!.header('content-length')).toBe('5');
    expect(text.indexOf('hello')).toBe(text.lastIndexOf('hello')); // only the GET carries it
    expect(get!.body.toString()).toBe('hello');
    await eventually(() => tracked.stats.closed === 2);
    expect(tracked.stats.closed).toBe(2); // BODY-06: once per request
  });

  it('BODY-13: a 204 or 304 response carries no body', async () => {
    const server = await start((environ, startResponse) => {
      startResponse(environ.PATH_INFO === '/304' ? '304 Not Modified' : '204 No Content', []);
      return [enc('ignored')];
    });
    const { text } = await exchange(
      server.port,
      'GET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /304 HTTP/1.1\r\nHost: x\r\n\r\n',
      ['GET', 'GET'],
    );
    expect(parseResponses(Buffer.from(text, 'latin1')).map((r) => r.status)).toEqual([204, 304]);
    expect(text).not.toContain('ignored');
  });

  it('ADP-NODE-08 / ERR-01 / ERR-02: an app that throws before startResponse gets a generic 500; the error is logged', async () => {
    const server = await start(() => {
      throw new Error('boom before');
    });
    const res = await request(server.port);
    expect(res.status).toBe(500);
    expect(res.body.toString()).not.toContain('boom');
    expect(server.errors.join('')).toContain('boom before');
  });

  it('ERR-02: exposeErrors puts the stack in the 500 body', async () => {
    const server = await start(
      () => {
        throw new Error('visible');
      },
      { exposeErrors: true },
    );
    const res = await request(server.port);
    expect(res.status).toBe(500);
    expect(res.body.toString()).toContain('Error: visible');
  });

  it('ADP-NODE-08 / ERR-03: an app that throws after the body started gives a truncated response (no final chunk)', async () => {
    const server = await start((_e, startResponse) => {
      startResponse('200 OK', []);
      return (async function* () {
        yield enc('partial');
        throw new Error('boom after');
      })();
    });
    const client = await RawClient.open(server.port);
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = await client.untilClosed();
    const [res] = parseResponses(Buffer.from(text, 'latin1'), ['GET']);
    expect(res!.status).toBe(200);
    expect(res!.body.toString()).toBe('partial');
    expect(res!.complete).toBe(false);
    expect(server.errors.join('')).toContain('boom after');
  });

  it('SR-06 / SR-07: a hop-by-hop response header makes startResponse throw; 500 and the SR-06 error logged', async () => {
    const server = await start((_e, startResponse) => {
      startResponse('200 OK', [['Connection', 'close']]);
      return [enc('never')];
    });
    const res = await request(server.port);
    expect(res.status).toBe(500);
    expect(server.errors.join('')).toMatch(/SR-06/);
  });

  it('SR-04: a header name that is not a token: 500 and SR-04 logged', async () => {
    const server = await start((_e, startResponse) => {
      startResponse('200 OK', [['bad name', 'v']]);
      return [];
    });
    const res = await request(server.port);
    expect(res.status).toBe(500);
    expect(server.errors.join('')).toMatch(/SR-04/);
  });

  it('SR-05: a value node:http refuses (a control character) becomes a 500, logged with SR-05', async () => {
    const server = await start((_e, startResponse) => {
      startResponse('200 OK', [['x-bell', 'a\x07b']]);
      return [enc('never')];
    });
    const res = await request(server.port);
    expect(res.status).toBe(500);
    expect(res.body.toString()).not.toContain('never');
    expect(server.errors.join('')).toMatch(/SR-05/);
  });

  it('BODY-08: a body longer than content-length is cut at the declared length and stopped', async () => {
    const tracked = trackedBody(['abc', 'def', 'ghi']);
    const server = await start((_e, startResponse) => {
      startResponse('200 OK', [['content-length', '4']]);
      return tracked.body;
    });
    const { text } = await exchange(
      server.port,
      'GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n',
      ['GET', 'GET'],
    );
    const responses = parseResponses(Buffer.from(text, 'latin1'), ['GET', 'GET']);
    expect(responses.map((r) => r.body.toString())).toEqual(['abcd', 'abcd']); // no bleed into the next
    expect(server.errors.join('')).toContain('BODY-08');
    await eventually(() => tracked.stats.returned === 2);
  });

  it('ADP-NODE-08 / BODY-09: a body shorter than content-length aborts the connection', async () => {
    const server = await start((_e, startResponse) => {
      startResponse('200 OK', [['content-length', '10']]);
      return (async function* () {
        yield enc('short');
      })();
    });
    const client = await RawClient.open(server.port);
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = await client.untilClosed();
    const [res] = parseResponses(Buffer.from(text, 'latin1'), ['GET']);
    expect(res!.body.toString()).toBe('short');
    expect(res!.complete).toBe(false);
    expect(server.errors.join('')).toContain('BODY-09');
  });

  it('ADP-NODE-09: pipelined requests in one write get their responses in order', async () => {
    const app: Application = async (environ, startResponse) => {
      // The first request is slower, so order comes from node:http, not from timing luck.
      if (environ.PATH_INFO === '/slow') await new Promise((r) => setTimeout(r, 30));
      startResponse('200 OK', []);
      return [enc(environ.PATH_INFO)];
    };
    const server = await start(app);
    const { text } = await exchange(
      server.port,
      'GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n',
      ['GET', 'GET'],
    );
    expect(parseResponses(Buffer.from(text, 'latin1')).map((r) => r.body.toString())).toEqual([
      '/slow',
      '/fast',
    ]);
  });

  it('ADP-NODE-09: a bodiless request is not resumed after its response; an unread body still is, and the connection goes on', async () => {
    // node:http resumes every request stream nobody read once its response finishes, to pull
    // unread body bytes off the wire. A request without a body has none, and the adapter marks
    // it consumed so that work is skipped; a body the app left unread must still be drained.
    const listener = createRequestListener((environ, startResponse) => {
      startResponse('200 OK', []);
      return [enc(environ.PATH_INFO)];
    });
    const seen: IncomingMessage[] = [];
    const server = createServer((req, res) => {
      seen.push(req);
      listener(req, res);
    });
    await withServer(server, async (port) => {
      const { text } = await exchange(
        port,
        'GET /a HTTP/1.1\r\nHost: x\r\n\r\n' +
          'POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello' +
          'POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n' +
          'GET /d HTTP/1.1\r\nHost: x\r\n\r\n',
        ['GET', 'POST', 'POST', 'GET'],
      );
      const bodies = parseResponses(Buffer.from(text, 'latin1')).map((r) => r.body.toString());
      expect(bodies).toEqual(['/a', '/b', '/c', '/d']);
      await new Promise((r) => setImmediate(r)); // node resumes in resOnFinish and on a tick after
      expect(seen.map((req) => [req.url, req.readableFlowing === true])).toEqual([
        ['/a', false],
        ['/b', true], // drained by node (IN-06), so /c and /d could be parsed
        ['/c', false],
        ['/d', false],
      ]);
    });
  });

  it('a small one-chunk Array body leaves in one chunk with the head, as a string body does in raw node:http', async () => {
    // node:http prepends the head to a string body; a Uint8Array goes beside it as an iovec of
    // its own. The adapter sends a small whole body as latin-1 text, so the socket sees one chunk.
    const listener = createRequestListener((_environ, startResponse) => {
      startResponse('200 OK', [['content-type', 'text/plain']]);
      return [enc('hello, world')];
    });
    const written: unknown[] = [];
    const server = createServer(listener).on('connection', (socket) => {
      const writev = socket._writev!.bind(socket);
      const write = socket._write.bind(socket);
      socket._writev = (chunks, cb) => {
        for (const c of chunks) written.push(c.chunk);
        writev(chunks, cb);
      };
      socket._write = (chunk, encoding, cb) => {
        written.push(chunk);
        write(chunk, encoding, cb);
      };
    });
    await withServer(server, async (port) => {
      const res = await request(port);
      expect(res.body.toString()).toBe('hello, world');
      const nonEmpty = written.filter((c) => (c as { length: number }).length > 0);
      expect(nonEmpty).toHaveLength(1);
      expect(String(nonEmpty[0])).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nhello, world$/);
    });
  });

  it('WR-01: the legacy write() sends before the body and resolves', async () => {
    const server = await start(async (_e, startResponse) => {
      const write = startResponse('200 OK', []);
      await write(enc('first,'));
      return [enc('second')];
    });
    const res = await request(server.port);
    expect(res.body.toString()).toBe('first,second');
  });
});

describe('createRequestListener inside a host that set headers first (issue 19)', () => {
  it("SR-03: the host's headers are kept, the app's added, repeats kept; no hang, also for the 500", async () => {
    const listener = createRequestListener((_e, sr) => {
      sr('200 OK', [
        ['content-type', 'text/plain'],
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
      ]);
      return [enc('ok')];
    });
    const failing = createRequestListener(
      () => {
        throw new Error('boom');
      },
      { errors: () => {} },
    );
    const server = createServer((req, res) => {
      res.setHeader('x-powered-by', 'Host'); // as Express does before its routes run
      (req.url === '/fail' ? failing : listener)(req, res);
    });
    await withServer(server, async (port) => {
      const res = await request(port, '/');
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe('ok');
      expect(res.header('x-powered-by')).toBe('Host');
      expect(
        res.headers.filter(([n]) => n.toLowerCase() === 'set-cookie').map(([, v]) => v),
      ).toEqual(['a=1', 'b=2']);
      const failed = await request(port, '/fail');
      expect(failed.status).toBe(500);
    });
  });
});
