/**
 * The pure codec (ADP-SCGI-02, ADP-SCGI-04): what it accepts and refuses, and a property test
 * over every split point of valid and malformed inputs: the same head, body and error whichever
 * way the bytes are cut.
 */
import {
  encodeScgiRequest,
  ScgiDecoder,
  type ScgiHead,
  type ScgiProtocolError,
  scgiHeaders,
} from '@tsgi/scgi/codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

interface Decoded {
  head: ScgiHead | null;
  body: number[];
  error: string | undefined;
  complete: boolean;
}

/** Decodes `bytes` pushed in the pieces `cuts` makes, then ends the stream. */
function decode(bytes: Uint8Array, cuts: number[] = [], maxHeaderSize?: number): Decoded {
  const body: number[] = [];
  let head: ScgiHead | null = null;
  const d = new ScgiDecoder(
    {
      head: (h) => {
        head = h;
      },
      body: (c) => body.push(...c),
    },
    maxHeaderSize === undefined ? {} : { maxHeaderSize },
  );
  let error: ScgiProtocolError | undefined;
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    error ??= d.push(bytes.subarray(at, cut));
    at = cut;
  }
  error ??= d.end();
  return { head, body, error: error?.code, complete: d.complete };
}

/** A netstring of `content` (its length computed, so the cases say only what is wrong). */
const net = (content: string, end = ','): string => `${content.length}:${content}${end}`;

const valid = (vars: Record<string, string>, body: Uint8Array = new Uint8Array(0)): Uint8Array =>
  encodeScgiRequest(scgiHeaders({ REQUEST_METHOD: 'GET', ...vars }, body.length), body);

describe('ADP-SCGI-02: the codec', () => {
  it('ADP-SCGI-02: the protocol.txt example decodes to its headers and body', () => {
    const bytes = enc(
      '70:CONTENT_LENGTH\x0027\x00SCGI\x001\x00REQUEST_METHOD\x00POST\x00REQUEST_URI\x00/deepthought\x00,What is the answer to life?',
    );
    const r = decode(bytes);
    expect(r.error).toBeUndefined();
    expect(r.head!.pairs).toEqual([
      ['CONTENT_LENGTH', '27'],
      ['SCGI', '1'],
      ['REQUEST_METHOD', 'POST'],
      ['REQUEST_URI', '/deepthought'],
    ]);
    expect(r.head!.contentLength).toBe(27);
    expect(String.fromCharCode(...r.body)).toBe('What is the answer to life?');
    expect(r.complete).toBe(true);
  });

  it('ADP-SCGI-02, IN-03: bytes past CONTENT_LENGTH are dropped; empty values and 0xFF octets are kept as byte strings', () => {
    const bytes = valid({ QUERY_STRING: '', HTTP_X: '\xff\xe9' }, enc('abc'));
    const r = decode(new Uint8Array([...bytes, 0x78, 0x79]));
    expect(r.body).toEqual([0x61, 0x62, 0x63]);
    expect(r.head!.pairs).toContainEqual(['QUERY_STRING', '']);
    expect(r.head!.pairs).toContainEqual(['HTTP_X', '\xff\xe9']);
  });

  it('ADP-SCGI-06: repeated HTTP_* names are passed on in order (nginx 1.22 sends repeated header lines so)', () => {
    const pairs = [
      ...scgiHeaders({ REQUEST_METHOD: 'GET' }),
      ['HTTP_X', 'a'],
      ['HTTP_X', 'b'],
    ] as const;
    const r = decode(encodeScgiRequest(pairs));
    expect(r.error).toBeUndefined();
    expect(r.head!.pairs.filter(([n]) => n === 'HTTP_X')).toEqual([
      ['HTTP_X', 'a'],
      ['HTTP_X', 'b'],
    ]);
  });

  const refused: Array<[string, string | Uint8Array, string]> = [
    ['a length above maxHeaderSize (refused at its digits)', '99999999', 'HEADERS_TOO_LARGE'],
    ['a length overflowing any integer', '9'.repeat(40), 'HEADERS_TOO_LARGE'],
    ['a non-digit in the length', '1x:', 'BAD_LENGTH'],
    ['a leading zero', '024:', 'BAD_LENGTH'],
    ['no length at all', ':,', 'BAD_LENGTH'],
    ['a missing comma', net('CONTENT_LENGTH\x000\x00SCGI\x001\x00', ';'), 'MISSING_COMMA'],
    ['headers not ending in NUL', net('CONTENT_LENGTH\x000\x00SCGI\x001'), 'BAD_HEADERS'],
    ['a name without a value', net('CONTENT_LENGTH\x000\x00SCGI\x001\x00ODD\x00'), 'BAD_HEADERS'],
    ['an empty name', net('CONTENT_LENGTH\x000\x00SCGI\x001\x00\x00\x00'), 'BAD_HEADERS'],
    ['SCGI=1 missing', net('CONTENT_LENGTH\x000\x00'), 'NOT_SCGI'],
    ['SCGI=2', net('CONTENT_LENGTH\x000\x00SCGI\x002\x00'), 'NOT_SCGI'],
    ['CONTENT_LENGTH not first', net('SCGI\x001\x00CONTENT_LENGTH\x000\x00'), 'NO_CONTENT_LENGTH'],
    ['CONTENT_LENGTH -1', net('CONTENT_LENGTH\x00-1\x00SCGI\x001\x00'), 'NO_CONTENT_LENGTH'],
    ['CONTENT_LENGTH empty', net('CONTENT_LENGTH\x00\x00SCGI\x001\x00'), 'NO_CONTENT_LENGTH'],
    [
      'a repeated REQUEST_METHOD',
      net('CONTENT_LENGTH\x000\x00SCGI\x001\x00REQUEST_METHOD\x00GET\x00REQUEST_METHOD\x00PUT\x00'),
      'DUPLICATE_NAME',
    ],
    [
      'a repeated CONTENT_LENGTH',
      net('CONTENT_LENGTH\x000\x00SCGI\x001\x00CONTENT_LENGTH\x009\x00'),
      'DUPLICATE_NAME',
    ],
    [
      'a netstring cut off',
      net('CONTENT_LENGTH\x000\x00SCGI\x001\x00').slice(0, 20),
      'TRUNCATED_HEADERS',
    ],
    [
      'a body short of CONTENT_LENGTH',
      `${net('CONTENT_LENGTH\x009\x00SCGI\x001\x00')}abc`,
      'TRUNCATED_BODY',
    ],
  ];

  it.each(refused)('ADP-SCGI-04: %s is refused (%s → %s)', (_what, input, code) => {
    const bytes = typeof input === 'string' ? enc(input) : input;
    expect(decode(bytes, [], 65536).error).toBe(code);
  });

  it('ADP-SCGI-04: after an error, later bytes are ignored and nothing more is reported', () => {
    let heads = 0;
    const d = new ScgiDecoder({ head: () => heads++, body: () => {} });
    expect(d.push(enc('x'))?.code).toBe('BAD_LENGTH');
    expect(d.push(valid({}))).toBeUndefined();
    expect(d.end()).toBeUndefined();
    expect(heads).toBe(0);
  });
});

// Names: upper-case CGI-like names (never CONTENT_LENGTH/SCGI, which scgiHeaders puts first).
const name = fc
  .stringMatching(/^[A-Z][A-Z0-9_]{0,11}$/)
  .filter((n) => n !== 'CONTENT_LENGTH' && n !== 'SCGI');
const byteString = fc
  .uint8Array({ maxLength: 24 })
  .map((b) => String.fromCharCode(...b).replace(/\0/g, '\x01'));
const request = fc.record({
  vars: fc.dictionary(name, byteString, { maxKeys: 6 }),
  body: fc.uint8Array({ maxLength: 64 }),
  tail: fc.uint8Array({ maxLength: 4 }),
});

describe('ADP-SCGI-02: every split point', () => {
  it('ADP-SCGI-02: a valid request decodes the same at every single split point and under random multi-splits', () => {
    fc.assert(
      fc.property(request, fc.array(fc.nat(), { maxLength: 6 }), ({ vars, body, tail }, extra) => {
        const bytes = new Uint8Array([...valid(vars, body), ...tail]);
        const whole = decode(bytes);
        expect(whole.error).toBeUndefined();
        expect(whole.complete).toBe(true);
        expect(whole.body).toEqual([...body]);
        for (let i = 0; i <= bytes.length; i++) expect(decode(bytes, [i])).toEqual(whole);
        const cuts = [...new Set(extra.map((n) => n % (bytes.length + 1)))].sort((a, b) => a - b);
        expect(decode(bytes, cuts)).toEqual(whole);
        // One byte at a time, the most split input there is.
        expect(decode(bytes, [...bytes.keys()])).toEqual(whole);
      }),
      { numRuns: 150 },
    );
  });

  it('ADP-SCGI-04: a mutated or cut request gets the same verdict at every split point', () => {
    fc.assert(
      fc.property(
        request,
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.boolean(),
        ({ vars, body }, at, byte, cut) => {
          const good = valid(vars, body);
          const i = at % good.length;
          const bytes = cut
            ? good.subarray(0, i)
            : Uint8Array.from(good, (b, j) => (j === i ? byte : b));
          const whole = decode(bytes, [], 4096);
          for (let s = 0; s <= bytes.length; s++) expect(decode(bytes, [s], 4096)).toEqual(whole);
        },
      ),
      { numRuns: 150 },
    );
  });
});
