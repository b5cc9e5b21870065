/**
 * The CGI response head (ADP-CGI-02, ADP-FCGI-15) and the NPH head (ADP-CGI-08), formatted and
 * parsed in one place for @tsgi/cgi and @tsgi/fastcgi (issue 17).
 */
import {
  type BodyFraming,
  formatCgiHead,
  formatNphHead,
  isStatusLine,
  latin1ToBytes,
  parseCgiResponse,
  type ResponseHeader,
  type Status,
} from '@tsgi/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const char = (min: number, max: number) =>
  fc.integer({ min, max }).map((c) => String.fromCharCode(c));
const vchar = fc.oneof(char(0x21, 0x7e), char(0x80, 0xff));
const ows = fc.constantFrom(' ', '\t');
const tchar = fc.constantFrom(
  ..."!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
);

/** SR-02 statuses: 200-599, a reason without controls or edge whitespace. */
const status = fc
  .tuple(
    fc.integer({ min: 200, max: 599 }),
    vchar,
    fc.string({ unit: fc.oneof(vchar, ows), maxLength: 20 }),
    vchar,
  )
  .map(([code, first, middle, last]) => ({ code, reason: first + middle + last }))
  .map((s) => ({ ...s, line: `${s.code} ${s.reason}` as Status }))
  .filter(({ reason }) => isStatusLine(`200 ${reason}`));

/** SR-04/SR-05 header lines (any field value, edge whitespace included; never `status`). */
const headers = fc.array(
  fc.tuple(
    fc
      .string({ unit: tchar, minLength: 1, maxLength: 12 })
      .filter((n) => n.toLowerCase() !== 'status'),
    fc.string({ unit: fc.oneof(vchar, ows), maxLength: 30 }),
  ),
  { maxLength: 8 },
);

const OWS_EDGES = /^[ \t]+|[ \t]+$/g;

describe('formatCgiHead / parseCgiResponse', () => {
  it('ADP-CGI-02 ADP-FCGI-15: Status first, the headers in order, CRLF, the empty line', () => {
    const headers: ResponseHeader[] = [
      ['content-type', 'text/plain'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ];
    expect(formatCgiHead('404 Not Found', headers)).toBe(
      'Status: 404 Not Found\r\ncontent-type: text/plain\r\nset-cookie: a=1\r\nset-cookie: b=2\r\n\r\n',
    );
    expect(formatCgiHead('204 No Content', [])).toBe('Status: 204 No Content\r\n\r\n');
  });

  it('round trip: parse(format(status, headers) + body) gives them back (values without OWS)', () => {
    fc.assert(
      fc.property(status, headers, fc.uint8Array({ maxLength: 64 }), (s, h, body) => {
        const text = formatCgiHead(s.line, h);
        const head = latin1ToBytes(text);
        const bytes = new Uint8Array(head.length + body.length);
        bytes.set(head);
        bytes.set(body, head.length);
        const r = parseCgiResponse(bytes);
        expect(r.status).toBe(s.code);
        expect(r.reason).toBe(s.reason);
        const trimmed = h.map(([n, v]) => [n, v.replace(OWS_EDGES, '')] as [string, string]);
        expect(r.headers).toEqual(trimmed);
        expect(r.body).toEqual(body);
        // And back: the parsed response formats to the same head once values carry no OWS.
        expect(formatCgiHead(`${r.status} ${r.reason}` as Status, r.headers)).toBe(
          formatCgiHead(s.line, trimmed),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('keeps obs-text at a value edge (0xA0 is not OWS, though String.prototype.trim drops it)', () => {
    const r = parseCgiResponse(latin1ToBytes('Status: 200 OK\r\nx: \xa0a\xa0 \r\n\r\n'));
    expect(r.headers).toEqual([['x', '\xa0a\xa0']]);
  });

  it('RFC 3875 §6: LF line ends, no Status (200), Location alone (302); the body is a view', () => {
    const lf = latin1ToBytes('content-type: text/plain\n\nhi');
    expect(parseCgiResponse(lf)).toMatchObject({
      status: 200,
      reason: 'OK',
      headers: [['content-type', 'text/plain']],
    });
    expect(parseCgiResponse(lf).body.buffer).toBe(lf.buffer);
    const redirect = parseCgiResponse(latin1ToBytes('Location: /x\r\n\r\n'));
    expect([redirect.status, redirect.reason]).toEqual([302, 'Found']);
  });

  it('throws on a head without its empty line and on a line that is not name: value', () => {
    expect(() => parseCgiResponse(latin1ToBytes('Status: 200 OK\r\n'))).toThrow(
      /no end of headers/,
    );
    expect(() => parseCgiResponse(latin1ToBytes('HTTP/1.1 200 OK\r\n\r\n'))).toThrow(/malformed/);
  });
});

describe('formatNphHead (ADP-CGI-08)', () => {
  const DATE = 'Thu, 01 Jan 2026 00:00:00 GMT';
  const framings: BodyFraming[] = ['none', 'whole', 'length', 'open'];

  for (const protocol of ['HTTP/1.1', 'HTTP/1.0'] as const) {
    for (const framing of framings) {
      const chunked = framing === 'open' && protocol === 'HTTP/1.1';
      it(`${protocol}, framing '${framing}': ${chunked ? 'chunked' : 'not chunked'}`, () => {
        const head = formatNphHead(
          '200 OK',
          [['content-type', 'text/plain']],
          framing,
          protocol,
          DATE,
        );
        expect(head).toEqual({
          text:
            `${protocol} 200 OK\r\ncontent-type: text/plain\r\n` +
            (chunked ? 'transfer-encoding: chunked\r\n' : '') +
            `date: ${DATE}\r\nconnection: close\r\n\r\n`,
          chunked,
        });
      });
    }
  }

  it('any protocol but HTTP/1.0 gets an HTTP/1.1 status line', () => {
    expect(formatNphHead('204 No Content', [], 'none', 'HTTP/2', DATE).text).toMatch(
      /^HTTP\/1\.1 204 No Content\r\n/,
    );
  });

  it("SR-12: the application's date is kept (any case); without one, now", () => {
    const own = formatNphHead('200 OK', [['Date', 'x']], 'length', 'HTTP/1.1', DATE).text;
    expect(own).toBe('HTTP/1.1 200 OK\r\nDate: x\r\nconnection: close\r\n\r\n');
    const now = formatNphHead('200 OK', [], 'none', 'HTTP/1.1').text;
    const date = /\r\ndate: ([^\r]+)\r\n/.exec(now)![1]!;
    expect(Math.abs(Date.parse(date) - Date.now())).toBeLessThan(5000);
  });
});
