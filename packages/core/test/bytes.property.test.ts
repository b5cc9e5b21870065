import {
  bytesToLatin1,
  decodeUtf8,
  encodeUtf8,
  isByteString,
  isDigits,
  isFieldValue,
  isStatusLine,
  isTchar,
  isToken,
  latin1ToBytes,
  percentDecode,
  percentEncodePath,
  validateHeaders,
  validateStatus,
} from '@tsgi/core';
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

// The RFC 9110 grammars written as regular expressions: an oracle for the hand-written loops
// in src/syntax.ts, which the engine, environ building and the conformance lint all use.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/; // §5.6.2
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/; // §5.5
const DIGITS = /^[0-9]+$/;

describe('the shape predicates match their RFC grammars (SR-02..SR-05, SR-15, ENV-03)', () => {
  it('isTchar and isFieldValue, character by character', () => {
    for (let c = 0; c < 0x400; c++) {
      const ch = String.fromCharCode(c);
      expect(isTchar(c), `tchar 0x${c.toString(16)}`).toBe(TOKEN.test(ch));
      expect(isFieldValue(ch), `field-value 0x${c.toString(16)}`).toBe(FIELD_VALUE.test(ch));
    }
  });

  it('isToken, isFieldValue and isDigits on random strings', () => {
    const text = fc.string({
      unit: fc.constantFrom(...'aZ09-_!~ :"(\t\r\n\0\x7f\u00e9\u2603'.split('')),
      maxLength: 6,
    });
    fc.assert(
      fc.property(text, (s) => {
        expect(isToken(s)).toBe(TOKEN.test(s));
        expect(isFieldValue(s)).toBe(FIELD_VALUE.test(s));
        expect(isDigits(s)).toBe(DIGITS.test(s));
      }),
      { numRuns: 3000 },
    );
  });

  it('the engine validators use them', () => {
    expect(() => validateHeaders([['x ok', 'v']])).toThrow(/^SR-04: /);
    expect(() => validateHeaders([['x-ok', 'a\r\nb']])).toThrow(/^SR-05: /);
    expect(() => validateHeaders([['content-length', '1a']])).toThrow(/^SR-15: /);
    expect(() => validateStatus('200 OK ')).toThrow(/^SR-02: /);
    expect(isStatusLine('404 Not\tFound')).toBe(true);
    expect(
      validateHeaders([
        ['X-Ok', 'caf\u00e9'],
        ['content-length', '12'],
      ]),
    ).toBe(12);
  });
});
