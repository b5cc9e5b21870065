/** fromFetch, response side: Response → status line, header tuples, streamed body. */
import { type Environ, runApplication, utf8 } from '@tsgi/core';
import { request } from '@tsgi/core/testing';
import { fromFetch } from '@tsgi/fetch';
import { describe, expect, it } from 'vitest';

/** A response body the test drives: `push` a chunk, `end()`, and see whether it was cancelled. */
function controlledBody() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled: unknown = null;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel(reason) {
      cancelled = reason ?? 'cancelled';
    },
  });
  return {
    stream,
    push: (s: string) => controller.enqueue(utf8(s)),
    end: () => controller.close(),
    fail: (e: unknown) => controller.error(e),
    get cancelled() {
      return cancelled;
    },
  };
}

/** An environ from the testing client, captured so a test can drive the engine itself. */
async function environFor(path: string, signal?: AbortSignal): Promise<Environ> {
  let captured: Environ | undefined;
  await request(
    (environ, startResponse) => {
      captured = environ;
      startResponse('204 No Content', []);
      return [];
    },
    signal === undefined ? { path } : { path, signal },
  );
  return captured!;
}

describe('fromFetch: status and headers (SR-02, SR-03, SR-06)', () => {
  it('uses statusText, or the reason phrase from the table when it is empty (SR-02)', async () => {
    const a = await request(
      fromFetch(() => new Response('x', { status: 418, statusText: 'Brew' })),
    );
    expect(a.statusText).toBe('418 Brew');
    const b = await request(fromFetch(() => new Response(null, { status: 404 })));
    expect(b.statusText).toBe('404 Not Found');
    const c = await request(fromFetch(() => new Response(null, { status: 299 })));
    expect(c.statusText).toBe('299 Unknown');
  });

  it('keeps each Set-Cookie apart, Expires commas and all (SR-03)', async () => {
    const app = fromFetch(() => {
      const headers = new Headers([['x-a', '1']]);
      headers.append('set-cookie', 'a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT');
      headers.append('set-cookie', 'b=2; HttpOnly');
      headers.append('x-a', '2');
      return new Response('c', { headers });
    });
    const res = await request(app);
    expect(res.headers.filter(([n]) => n === 'set-cookie')).toEqual([
      ['set-cookie', 'a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT'],
      ['set-cookie', 'b=2; HttpOnly'],
    ]);
    expect(res.header('x-a')).toBe('1, 2');
  });

  it('removes hop-by-hop response fields the engine would refuse (SR-06)', async () => {
    const app = fromFetch(
      () =>
        new Response('sse', {
          headers: {
            'content-type': 'text/event-stream',
            connection: 'keep-alive',
            'transfer-encoding': 'chunked',
            'keep-alive': 'timeout=5',
          },
        }),
    );
    const res = await request(app);
    expect(res.status, res.errors).toBe(200);
    expect(res.headers).toEqual([
      ['content-type', 'text/event-stream'],
      ['content-length', '3'], // the engine's (BODY-10)
    ]);
  });
});

describe('fromFetch: the response body (BODY-02, BODY-05, BODY-10)', () => {
  it('streams chunk by chunk: a chunk is written before the next one exists (BODY-02)', async () => {
    const body = controlledBody();
    const app = fromFetch(() => new Response(body.stream));
    const writes: string[] = [];
    let heads = 0;
    const done = runApplication(app, await environFor('/'), {
      head() {
        heads++;
      },
      write(chunk) {
        writes.push(new TextDecoder().decode(chunk));
        // The next chunk is produced only after this one reached the transport.
        if (writes.length === 1) body.push('two');
        else body.end();
      },
      end() {},
      abort() {},
    });
    body.push('one');
    await done;
    expect(heads).toBe(1);
    expect(writes).toEqual(['one', 'two']);
  });

  it('a body that is already complete goes out as an Array, so its length is known (BODY-10)', async () => {
    let framing: string | undefined;
    let length: string | undefined;
    await runApplication(
      fromFetch(() => new Response('hello')),
      await environFor('/'),
      {
        head(_s, h, f) {
          framing = f;
          length = h.find(([n]) => n.toLowerCase() === 'content-length')?.[1];
        },
        write() {},
        end() {},
        abort() {},
      },
    );
    expect(framing).toBe('whole');
    expect(length).toBe('5');
  });

  it('the client leaving cancels the response stream and aborts request.signal (BODY-05, ERR-04)', async () => {
    const body = controlledBody();
    const client = new AbortController();
    let requestSignal: AbortSignal | undefined;
    const app = fromFetch((r) => {
      requestSignal = r.signal;
      return new Response(body.stream);
    });
    body.push('partial');
    const pending = request(app, { path: '/', signal: client.signal });
    await new Promise((r) => setTimeout(r, 5));
    client.abort(); // the body is idle: the engine must not wait for another chunk
    const res = await pending;
    expect(res.complete).toBe(false);
    expect(res.text()).toBe('partial');
    expect(body.cancelled).not.toBeNull();
    expect(requestSignal?.aborted).toBe(true);
    expect(res.errors).toBe(''); // ERR-04: a disconnect is not an application error
  });

  it('context.completed settles when a streamed body is released early (BODY-06)', async () => {
    const body = controlledBody();
    const client = new AbortController();
    let completed: Promise<void> | undefined;
    const app = fromFetch((_r, ctx) => {
      completed = ctx.completed;
      return new Response(body.stream);
    });
    body.push('x');
    setTimeout(() => client.abort(), 5);
    await request(app, { path: '/', signal: client.signal });
    await expect(completed).resolves.toBeUndefined();
  });

  it('HEAD: the engine sends the headers and drops the body (BODY-18)', async () => {
    const body = controlledBody();
    body.push('never sent');
    const app = fromFetch(() => new Response(body.stream, { headers: { 'x-head': 'yes' } }));
    const res = await request(app, { method: 'HEAD', path: '/' });
    expect(res.status).toBe(200);
    expect(res.header('x-head')).toBe('yes');
    expect(res.body.length).toBe(0);
    expect(body.cancelled).not.toBeNull();
  });

  it('null-body and empty responses end cleanly', async () => {
    const res = await request(fromFetch(() => new Response(null, { status: 204 })));
    expect(res.status).toBe(204);
    expect(res.complete).toBe(true);
  });
});

describe('fromFetch: errors (ERR-02, ERR-03)', () => {
  it('a handler that throws gives 500 and the error in tsgi.errors (ERR-02)', async () => {
    const res = await request(
      fromFetch(() => {
        throw new Error('handler broke');
      }),
    );
    expect(res.status).toBe(500);
    expect(res.errors).toMatch(/ERR-01.*handler broke/);
  });

  it('a rejected promise, a non-Response and Response.error() give 500 (ERR-02)', async () => {
    const handlers = [
      () => Promise.reject(new Error('async broke')),
      () => undefined as unknown as Response,
      () => Response.error(),
    ];
    for (const h of handlers) {
      const res = await request(fromFetch(h));
      expect(res.status).toBe(500);
    }
  });

  it('a body chunk that is not bytes is an error, and the stream is cancelled (APP-04, ERR-02)', async () => {
    let cancelled = false;
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(42);
      },
      cancel() {
        cancelled = true;
      },
    });
    const res = await request(fromFetch(() => new Response(stream as ReadableStream<Uint8Array>)));
    expect(res.status).toBe(500);
    expect(res.errors).toMatch(/response body chunk is number/);
    expect(cancelled).toBe(true);
  });

  it('a body stream that fails after the headers truncates the response (ERR-03)', async () => {
    const body = controlledBody();
    const app = fromFetch(() => new Response(body.stream));
    body.push('start');
    setTimeout(() => body.fail(new Error('stream broke')), 5);
    const res = await request(app);
    expect(res.status).toBe(200);
    expect(res.text()).toBe('start');
    expect(res.complete).toBe(false);
    expect(res.errors).toMatch(/stream broke/);
  });
});
