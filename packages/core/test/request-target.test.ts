/**
 * The request-target and Host validators (SRV-15, ENV-34, ENV-35, ENV-10): examples, and property
 * tests against a regular expression written straight from the ABNF of RFC 3986 §3.2.2.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { isValidHost, requestTargetForm, splitHost, targetAuthority } from '@tsgi/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// The oracle: RFC 3986 `uri-host [ ":" port ]`, transcribed rule by rule.
const dec = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const ipv4 = `${dec}\\.${dec}\\.${dec}\\.${dec}`;
const h16 = '[0-9A-Fa-f]{1,4}';
const ls32 = `(?:${h16}:${h16}|${ipv4})`;
const ipv6 = [
  `(?:${h16}:){6}${ls32}`,
  `::(?:${h16}:){5}${ls32}`,
  `(?:${h16})?::(?:${h16}:){4}${ls32}`,
  `(?:(?:${h16}:){0,1}${h16})?::(?:${h16}:){3}${ls32}`,
  `(?:(?:${h16}:){0,2}${h16})?::(?:${h16}:){2}${ls32}`,
  `(?:(?:${h16}:){0,3}${h16})?::${h16}:${ls32}`,
  `(?:(?:${h16}:){0,4}${h16})?::${ls32}`,
  `(?:(?:${h16}:){0,5}${h16})?::${h16}`,
  `(?:(?:${h16}:){0,6}${h16})?::`,
].join('|');
const ipvFuture = "[vV][0-9A-Fa-f]+\\.[A-Za-z0-9\\-._~!$&'()*+,;=:]+";
const regName = "(?:[A-Za-z0-9\\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*";
const ORACLE = new RegExp(`^(?:\\[(?:${ipv6}|${ipvFuture})\\]|${regName})(?::[0-9]*)?$`);

/** Strings over the octets that matter to the grammar, plus a few that never belong. */
const hostish = fc
  .array(fc.constantFrom(...'0123456789aAfFgvV:.[]%-_~!$&\'()*+,;=@/ ?#\t"\u00e9'.split('')), {
    maxLength: 24,
  })
  .map((a) => a.join(''));

/** IPv6 addresses built from groups, compressed or not, maybe with an IPv4 tail. */
const ipv6ish = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 9 }),
    fc.integer({ min: -1, max: 9 }),
    fc.boolean(),
  )
  .map(([groups, gap, v4]) => {
    const parts = groups.map((g) => g.toString(16));
    if (v4) parts.splice(-1, 1, '192.0.2.1');
    if (gap >= 0 && gap <= parts.length) parts.splice(gap, 0, '');
    let s = parts.join(':');
    if (s.startsWith(':') && !s.startsWith('::')) s = `:${s}`;
    if (s.endsWith(':') && !s.endsWith('::')) s = `${s}:`;
    return s;
  });

describe('isValidHost (ENV-34)', () => {
  it('accepts names, addresses, ports and the empty value', () => {
    for (const ok of [
      '127.0.0.1:8000',
      'example.test',
      'EXAMPLE.test:80',
      'a-b_c~d.test',
      "!$&'()*+,;=",
      'a,b',
      'caf%C3%A9.test',
      '999.1.1.1',
      '[::1]',
      '[::1]:9',
      '[2001:db8::192.0.2.1]:443',
      '[v7.fe80::a+en1]',
      'host:',
      ':80',
      '',
    ]) {
      expect(isValidHost(ok), ok).toBe(true);
    }
  });

  it('refuses what the decisions name (a b, x/y@z, a, b) and other non-hosts', () => {
    for (const bad of [
      'a b',
      'x/y@z',
      'a, b',
      'user@host',
      'host:8x',
      'host:80:80',
      'a%2',
      'a%zz',
      '[::1',
      '::1',
      '[::1]x',
      '[1:2:3]',
      '[::1%25eth0]',
      '[fe80::1::2]',
      'caf\u00e9.test',
      'a\tb',
      'a?b',
      'a#b',
      '[]',
    ]) {
      expect(isValidHost(bad), bad).toBe(false);
    }
  });

  it('agrees with the ABNF transcribed as a regular expression (property)', () => {
    fc.assert(
      fc.property(hostish, (s) => {
        expect(isValidHost(s), JSON.stringify(s)).toBe(ORACLE.test(s));
      }),
      { numRuns: 20000 },
    );
  });

  it('IP-literals: agrees with the oracle and with node:net on generated IPv6 addresses (property)', () => {
    fc.assert(
      fc.property(ipv6ish, fc.boolean(), (s, port) => {
        const host = `[${s}]${port ? ':8080' : ''}`;
        expect(isValidHost(host), host).toBe(ORACLE.test(host));
        expect(isValidHost(`[${s}]`), s).toBe(isIPv6(s));
      }),
      { numRuns: 5000 },
    );
  });

  it('every IPv4 address is valid, as is its dotted form with a port (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 65535 }), (ip, port) => {
        expect(isIPv4(ip)).toBe(true);
        expect(isValidHost(ip)).toBe(true);
        expect(isValidHost(`${ip}:${port}`)).toBe(true);
      }),
    );
  });
});

describe('splitHost (ENV-10)', () => {
  it('splits name and port; brackets stay; invalid values give undefined', () => {
    expect(splitHost('example.test:8080')).toEqual(['example.test', '8080']);
    expect(splitHost('example.test')).toEqual(['example.test', '']);
    expect(splitHost('example.test:')).toEqual(['example.test', '']);
    expect(splitHost('[::1]:9')).toEqual(['[::1]', '9']);
    expect(splitHost('[::1]')).toEqual(['[::1]', '']);
    expect(splitHost('')).toEqual(['', '']);
    expect(splitHost('a b')).toBeUndefined();
    expect(splitHost('x/y@z')).toBeUndefined();
  });

  it('name + ":" + port gives the value back whenever it is valid (property)', () => {
    fc.assert(
      fc.property(hostish, (s) => {
        const split = splitHost(s);
        expect(split !== undefined).toBe(isValidHost(s));
        if (split !== undefined) {
          const [name, port] = split;
          expect(s === name || s === `${name}:${port}`).toBe(true);
          expect(port).toMatch(/^[0-9]*$/);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('requestTargetForm (SRV-15, ENV-35)', () => {
  it('origin-form, absolute-form with http(s), * for OPTIONS, authority-form for CONNECT', () => {
    expect(requestTargetForm('/', 'GET')).toBe('origin');
    expect(requestTargetForm('//a/../b?x=%2F"<>\\^`{|}\u00e9', 'GET')).toBe('origin');
    expect(requestTargetForm('http://a.test/x?q', 'GET')).toBe('absolute');
    expect(requestTargetForm('HTTPS://[::1]:8443', 'POST')).toBe('absolute');
    expect(requestTargetForm('http://a.test?q', 'GET')).toBe('absolute');
    expect(requestTargetForm('http://a.test:/', 'GET')).toBe('absolute');
    expect(requestTargetForm('*', 'OPTIONS')).toBe('asterisk');
    expect(requestTargetForm('a.test:443', 'CONNECT')).toBe('authority');
    expect(requestTargetForm('[::1]:443', 'CONNECT')).toBe('authority');
  });

  it('refuses the rest with null', () => {
    for (const [target, method] of [
      ['*', 'GET'],
      ['*', 'options'],
      ['*x', 'OPTIONS'],
      ['', 'GET'],
      ['abc', 'GET'],
      ['a.test:443', 'GET'],
      ['/x', 'CONNECT'],
      ['a.test', 'CONNECT'],
      ['a.test:', 'CONNECT'],
      [':443', 'CONNECT'],
      ['ftp://a.test/x', 'GET'],
      ['a://b', 'GET'],
      ['httpx://a.test/', 'GET'],
      ['http:/a.test/', 'GET'],
      ['http:///x', 'GET'],
      ['http://u@a.test/', 'GET'],
      ['http://a.test:8x/', 'GET'],
      ['http://a b/', 'GET'],
      ['/a#b', 'GET'],
      ['http://a.test/x#f', 'GET'],
      ['/a b', 'GET'],
      ['/a\tb', 'GET'],
      ['/a\x00b', 'GET'],
      ['/a\x1fb', 'GET'],
      ['/a\x7fb', 'GET'],
      ['/\u0100', 'GET'],
    ]) {
      expect(requestTargetForm(target!, method!), `${method} ${JSON.stringify(target)}`).toBe(null);
    }
  });

  it('any octet 0x00-0x20, 0x7F or # anywhere refuses every form (property)', () => {
    const bad = fc.constantFrom(
      ...Array.from({ length: 0x21 }, (_, i) => String.fromCharCode(i)),
      '\x7f',
      '#',
    );
    const form = fc.constantFrom(
      ['/p/q?x', 'GET'],
      ['http://a.test/p?q', 'GET'],
      ['*', 'OPTIONS'],
      ['a.test:443', 'CONNECT'],
    );
    fc.assert(
      fc.property(form, bad, fc.nat(), ([target, method], c, at) => {
        const i = at % (target!.length + 1);
        const t = target!.slice(0, i) + c + target!.slice(i);
        expect(requestTargetForm(target!, method!)).not.toBe(null);
        expect(requestTargetForm(t, method!), JSON.stringify(t)).toBe(null);
      }),
      { numRuns: 2000 },
    );
  });

  it('an absolute-form target is accepted exactly when its authority is a valid, named host (property)', () => {
    fc.assert(
      fc.property(hostish, fc.constantFrom('http', 'https', 'HTTP'), (host, scheme) => {
        const target = `${scheme}://${host}/p`;
        const authority = host.split(/[/?#]/)[0]!;
        const expected =
          !/[\x00-\x20#\x7f\u0100-\uffff]/.test(target) &&
          ORACLE.test(authority) &&
          !authority.startsWith(':') &&
          authority !== '';
        expect(requestTargetForm(target, 'GET') === 'absolute', target).toBe(expected);
      }),
      { numRuns: 10000 },
    );
  });
});

describe('targetAuthority (ENV-35)', () => {
  it('gives the authority of an absolute-form target as received', () => {
    expect(targetAuthority('http://Evil.test:8080/env?x')).toBe('Evil.test:8080');
    expect(targetAuthority('https://[::1]?q')).toBe('[::1]');
    expect(targetAuthority('http://a.test')).toBe('a.test');
    expect(targetAuthority('/env')).toBeUndefined();
    expect(targetAuthority('*')).toBeUndefined();
    expect(targetAuthority('ftp://a.test/')).toBeUndefined();
    expect(targetAuthority('http://u@a.test/')).toBeUndefined();
  });
});
