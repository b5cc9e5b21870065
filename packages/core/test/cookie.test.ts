import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCookiePair, repairCookieJoin } from '../src/cookie.js';
import { environFromCgi } from '../src/environ.js';
import { createErrorStream } from '../src/input.js';

describe('ADP-FCGI-23 / ADP-CGI-07: a front end\'s ", " cookie join is repaired when provable', () => {
  it('joins conforming cookie-pairs with "; "', () => {
    expect(repairCookieJoin('a=1, b=2')).toBe('a=1; b=2');
    expect(repairCookieJoin('a=1; c=3, b=2')).toBe('a=1; c=3; b=2');
    expect(repairCookieJoin('q="x y"')).toBe('q="x y"'); // no ", " at all: untouched
    expect(repairCookieJoin('sid="abc", theme=dark')).toBe('sid="abc"; theme=dark');
  });

  it('leaves a value unchanged when any piece is not a cookie-pair', () => {
    expect(repairCookieJoin('a=1, 2, b=3')).toBe('a=1, 2, b=3'); // "2" has no name
    expect(repairCookieJoin('msg=hello, world')).toBe('msg=hello, world'); // "world" is no pair
    expect(repairCookieJoin('a=x y, b=2')).toBe('a=x y, b=2'); // a space inside a value
  });

  it('recognises RFC 6265 cookie-pairs', () => {
    expect(isCookiePair('a=')).toBe(true);
    expect(isCookiePair('a="v"')).toBe(true);
    expect(isCookiePair('=v')).toBe(false);
    expect(isCookiePair('a b=v')).toBe(false);
    expect(isCookiePair('a=v\\')).toBe(false);
  });

  it('splitting the repaired value on "; " gives back every cookie of every line (property)', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_.~-]{1,8}$/);
    const value = fc.stringMatching(/^[A-Za-z0-9_.~!#$%&'()*+/:<=>?@[\]^`{|}-]{0,8}$/);
    const line = fc.array(fc.tuple(name, value), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 4 }), (lines) => {
        const joined = lines.map((l) => l.map(([n, v]) => `${n}=${v}`).join('; ')).join(', ');
        const pairs = lines.flat().map(([n, v]) => `${n}=${v}`);
        expect(repairCookieJoin(joined).split('; ')).toEqual(pairs);
      }),
    );
  });

  it('environFromCgi applies it to HTTP_COOKIE', () => {
    const env = environFromCgi(
      { REQUEST_METHOD: 'GET', SCRIPT_NAME: '', PATH_INFO: '/', HTTP_COOKIE: 'a=1, b=2' },
      {
        input: { read: async () => new Uint8Array(0), cancel() {} } as never,
        errors: createErrorStream(() => {}),
        signal: new AbortController().signal,
        multithread: false,
        multiprocess: false,
        runOnce: true,
      },
    );
    expect(env.HTTP_COOKIE).toBe('a=1; b=2');
  });
});
