/**
 * Bodiless responses (BODY-18, BODY-23, BODY-25) and the engine's content-length decision
 * (BODY-09, BODY-10): one decision for every transport.
 */
import type { Application, ResponseHeaders, Status } from '@tsgi/core';
import { describe, expect, it } from 'vitest';
import { asyncEventBody, enc, eventBody, run, start, trackedBody } from './_helpers.js';

const respond =
  (status: Status, headers: ResponseHeaders, body: Iterable<Uint8Array>): Application =>
  (_e, start) => {
    start(status, headers);
    return body;
  };

/** A streamed (non-Array) body, so the engine cannot know its length in advance. */
function* stream(...chunks: string[]) {
  for (const c of chunks) yield enc(c);
}

describe('content-length decided by the engine (BODY-10, BODY-23, BODY-25)', () => {
  it('BODY-25, BODY-12: the engine adds no content-length to a HEAD response (Array, empty, streamed)', async () => {
    for (const body of [[enc('abcd')], [], stream('abc')]) {
      const rec = await run(respond('200 OK', [['x', '1']], body), { method: 'HEAD' });
      expect(rec.headers).toEqual([['x', '1']]);
      expect(rec.framing).toBe('none');
      expect(rec.events).toEqual(['head 200 OK', 'end']);
    }
  });

  it('BODY-25, BODY-13: no content-length for 204 or 304, even when the body is known to be empty', async () => {
    for (const status of ['204 No Content', '304 Not Modified'] as const) {
      const rec = await run(respond(status, [], []));
      expect(rec.headers).toEqual([]);
      expect(rec.framing).toBe('none');
    }
  });

  it('BODY-25, BODY-18: a 204 whose status comes during iteration gets no content-length either', async () => {
    const rec = await run((_e, start) =>
      (function* () {
        start('204 No Content', []);
        yield enc('dropped');
      })(),
    );
    expect(rec.headers).toEqual([]);
    expect(rec.chunks).toEqual([]);
  });

  it('BODY-23, BODY-18: a 205 sends no body bytes, stops as a 204 does, and gets content-length: 0', async () => {
    const { body, log } = trackedBody([enc('oops')]);
    const rec = await run(respond('205 Reset Content', [['x', '1']], body));
    expect(rec.events).toEqual(['head 205 Reset Content', 'end']);
    expect(rec.headers).toEqual([
      ['x', '1'],
      ['content-length', '0'],
    ]);
    expect(rec.framing).toBe('none');
    expect(log).toEqual({ returns: 0, closes: 1, nexts: 0 });
  });

  it("BODY-23: a 205 keeps the application's own content-length, not duplicated", async () => {
    const rec = await run(respond('205 Reset Content', [['Content-Length', '0']], []));
    expect(rec.headers).toEqual([['Content-Length', '0']]);
  });

  it('BODY-09, BODY-23: never for HEAD, 204, 304, 205: a declared length without bytes ends cleanly', async () => {
    const cases: Array<[string, Status]> = [
      ['HEAD', '200 OK'],
      ['GET', '204 No Content'],
      ['GET', '304 Not Modified'],
      ['GET', '205 Reset Content'],
    ];
    for (const [method, status] of cases) {
      const rec = await run(respond(status, [['content-length', '100']], stream('abc')), {
        method,
      });
      expect(rec.events).toEqual([`head ${status}`, 'end']);
      expect(rec.errors).not.toContain('BODY-09');
    }
  });

  it("BODY-10: an application's content-length is not duplicated; framing says what follows", async () => {
    const declared = await run(respond('200 OK', [['Content-Length', '3']], [enc('abc')]));
    expect(declared.headers).toEqual([['Content-Length', '3']]);
    expect(declared.framing).toBe('whole');
    const streamed = await run(respond('200 OK', [['content-length', '3']], stream('abc')));
    expect(streamed.headers).toEqual([['content-length', '3']]);
    expect(streamed.framing).toBe('length');
    const open = await run(respond('200 OK', [], stream('abc')));
    expect(open.headers).toEqual([]);
    expect(open.framing).toBe('open');
  });
});

describe('bodiless responses take nothing from the body (BODY-18)', () => {
  const cases: Array<[string, string]> = [
    ['HEAD', '200 OK'],
    ['GET', '204 No Content'],
    ['GET', '205 Reset Content'],
    ['GET', '304 Not Modified'],
  ];
  for (const [method, status] of cases) {
    it(`BODY-18: ${method} ${status}: no iterator is obtained, no return(), only the hook`, async () => {
      for (const make of [eventBody, asyncEventBody]) {
        const events: string[] = [];
        const r = start(
          (_e, sr) => {
            sr(status as '200 OK', []);
            return make(events, [enc('never')]) as Iterable<Uint8Array>;
          },
          { method },
        );
        await r.done;
        expect(events).toEqual(['close']);
        expect(r.rec.events).toEqual([`head ${status}`, 'end']);
      }
    });
  }

  it('BODY-18: startResponse not yet called: iteration until it is, then return(), the chunk discarded', async () => {
    for (const status of ['204 No Content', '200 OK']) {
      const events: string[] = [];
      const r = start(
        (_e, sr) => ({
          [Symbol.iterator]() {
            events.push('iterator');
            return {
              next(): IteratorResult<Uint8Array> {
                events.push('next');
                sr(status as '200 OK', []);
                return { done: false, value: enc('dropped') };
              },
              return(): IteratorResult<Uint8Array> {
                events.push('return');
                return { done: true, value: undefined };
              },
            };
          },
        }),
        { method: status === '200 OK' ? 'HEAD' : 'GET' },
      );
      await r.done;
      expect(events).toEqual(['iterator', 'next', 'return']);
      expect(r.rec.chunks).toEqual([]);
    }
  });
});
