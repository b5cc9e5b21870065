/**
 * toFetch(fromFetch(handler)): a fetch handler run through a full TSGI exchange and back must
 * look, to both the client and the handler, like a plain fetch exchange.
 */
import { request } from '@tsgi/core/testing';
import { fromFetch, toFetch } from '@tsgi/fetch';
import { describe, expect, it } from 'vitest';

function echo(r: Request): Promise<Response> {
  return r.text().then((body) => {
    const headers = new Headers({ 'content-type': 'application/json' });
    headers.append('set-cookie', 'a=1; Path=/');
    headers.append('set-cookie', 'b=2; Path=/');
    const seen = {
      method: r.method,
      url: r.url,
      header: r.headers.get('x-test'),
      body,
    };
    return new Response(JSON.stringify(seen), { status: 201, statusText: 'Echoed', headers });
  });
}

describe('toFetch(fromFetch(h)) round trip', () => {
  it('preserves method, URL (%2F and %FF included), headers, body, status and cookies', async () => {
    const handler = toFetch(fromFetch(echo));
    const url = 'http://example.test:8080/a%2Fb/%FF/caf%C3%A9?q=%FF&r=%2F';
    const res = await handler(
      new Request(url, { method: 'PUT', headers: { 'x-test': 'v\u00e9' }, body: 'payload' }),
    );
    expect(res.status).toBe(201);
    expect(res.statusText).toBe('Echoed');
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(await res.json()).toEqual({
      method: 'PUT',
      url,
      header: 'v\u00e9',
      body: 'payload',
    });
  });

  it('streams both ways through the two bridges', async () => {
    const handler = toFetch(
      fromFetch(async (r) => {
        // Echo the request body back as it arrives, upper-cased, chunk for chunk.
        const upper = new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            controller.enqueue(
              new TextEncoder().encode(new TextDecoder().decode(chunk).toUpperCase()),
            );
          },
        });
        return new Response(r.body!.pipeThrough(upper));
      }),
    );
    let push!: (s: string | null) => void;
    const upload = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (s) =>
          s === null ? controller.close() : controller.enqueue(new TextEncoder().encode(s));
      },
    });
    push('one ');
    const res = await handler(
      new Request('http://h.test/', {
        method: 'POST',
        headers: { 'transfer-encoding': 'chunked' },
        body: upload,
        duplex: 'half',
      } as RequestInit),
    );
    const reader = res.body!.getReader();
    // The first chunk comes back before the upload has ended: nothing is buffered whole.
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('ONE ');
    push('two');
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('TWO');
    push(null);
    expect((await reader.read()).done).toBe(true);
  });

  it('fromFetch(toFetch(app)) runs a TSGI app through fetch and back, in memory', async () => {
    const inner = fromFetch(echo);
    const outer = fromFetch(toFetch(inner));
    const res = await request(outer, {
      method: 'POST',
      path: '/x%2Fy?z=1',
      headers: { 'x-test': 't', host: 'h.test' },
      body: 'b',
    });
    expect(res.status).toBe(201);
    expect(res.headers.filter(([n]) => n === 'set-cookie')).toHaveLength(2);
    expect(JSON.parse(res.text())).toEqual({
      method: 'POST',
      url: 'http://h.test/x%2Fy?z=1',
      header: 't',
      body: 'b',
    });
  });
});
