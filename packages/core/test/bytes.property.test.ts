import {
  bytesToLatin1,
  decodeUtf8,
  encodeUtf8,
  isByteString,
  latin1ToBytes,
  percentDecode,
  percentEncodePath,
  validateHeaders,
  validateStatus,
} from '@tsgi/core';
import { headersSchema, statusSchema } from '@tsgi/core/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('byte strings (ENV-06) — property tests', () => {
  it('bytesToLatin1 / latin1ToBytes round-trip every byte sequence', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20000 }), (bytes) => {
        const s = bytesToLatin1(bytes);
        expect(s.length).toBe(bytes.length);
        expect(isByteString(s)).toBe(true);
        expect(latin1ToBytes(s)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('percentDecode(percentEncodePath(x)) === x for every byte string (decoded exactly once)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const s = bytesToLatin1(bytes);
        expect(percentDecode(percentEncodePath(s))).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  it('percentDecode decodes once: %25 becomes %, never a second round', () => {
    expect(percentDecode('/a%252Fb%2F%E9%zz%')).toBe('/a%2Fb/\u00e9%zz%');
  });

  it('decodeUtf8(encodeUtf8(s)) === s for every well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), (s) => {
        expect(decodeUtf8(encodeUtf8(s))).toBe(s);
      }),
    );
  });

  it('latin1ToBytes rejects code units above 0xFF; decodeUtf8 fatal rejects invalid UTF-8', () => {
    expect(() => latin1ToBytes('\u2603')).toThrow(RangeError);
    expect(decodeUtf8('\u00e9')).toBe('\ufffd');
    expect(() => decodeUtf8('\u00e9', { fatal: true })).toThrow(TypeError);
  });
});

describe('zod schemas agree with the engine validators (SR-02..SR-06)', () => {
  const agrees = (fn: () => unknown, zodOk: boolean) => {
    let ok = true;
    try {
      fn();
    } catch {
      ok = false;
    }
    return ok === zodOk;
  };
  const headerName = fc.oneof(
    fc.constantFrom(
      'content-type',
      'Status',
      'connection',
      'content-length',
      'x-ok',
      'bad name',
      'TE',
      '',
    ),
    fc.string({ maxLength: 6 }),
  );
  const headerValue = fc.oneof(
    fc.constantFrom('12', 'a\r\nb', 'x\0', '\u2603', 'caf\u00e9', '1a'),
    fc.string({ maxLength: 6 }),
  );

  it('on random header lists', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(headerName, headerValue), { maxLength: 3 }), (headers) => {
        const distinctLength =
          new Set(headers.filter(([n]) => n.toLowerCase() === 'content-length').map(([, v]) => v))
            .size <= 1;
        fc.pre(distinctLength); // conflicting lengths are a cross-header rule the schema does not model
        expect(
          agrees(() => validateHeaders(headers), headersSchema.safeParse(headers).success),
        ).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('on random status lines', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom('200 OK', '200', '99 x', '599 Z', '600 X', '200 OK ', '404 Not\tFound'),
          fc.string({ maxLength: 8 }),
        ),
        (s) => {
          expect(agrees(() => validateStatus(s), statusSchema.safeParse(s).success)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
