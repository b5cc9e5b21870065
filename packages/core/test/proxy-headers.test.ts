// ENV-19: forwarding headers are applied by middleware the deployer configures with trusted
// proxies (proxyHeaders), never by the server itself.
import { type Environ, proxyHeaders } from '@tsgi/core';
import { describe, expect, it } from 'vitest';
import { testEnviron } from './_helpers.js';

/** What the inner application saw for `overrides`. */
function seen(trusted: readonly string[] | '*', overrides: Record<string, unknown>): Environ {
  let inner: Environ | undefined;
  const app = proxyHeaders(
    (environ, start) => {
      inner = environ;
      start('200 OK', []);
      return [];
    },
    { trusted },
  );
  const environ = testEnviron({
    overrides: { REMOTE_ADDR: '10.0.0.1', REMOTE_PORT: '5555', ...overrides },
  });
  app(environ, () => () => Promise.resolve());
  return inner!;
}

describe('ENV-19: proxyHeaders', () => {
  it('a trusted proxy: the client address from X-Forwarded-For and the scheme from X-Forwarded-Proto', () => {
    const e = seen(['10.0.0.1'], {
      HTTP_X_FORWARDED_FOR: '203.0.113.7',
      HTTP_X_FORWARDED_PROTO: 'https',
    });
    expect([e.REMOTE_ADDR, e.REMOTE_PORT, e['tsgi.url_scheme'], e.HTTPS]).toEqual([
      '203.0.113.7',
      undefined,
      'https',
      'on',
    ]);
  });

  it('read from the right: a client cannot spoof past the last trusted proxy', () => {
    const e = seen(['10.0.0.1', '10.0.0.2'], {
      HTTP_X_FORWARDED_FOR: '1.1.1.1, 203.0.113.7, 10.0.0.2',
    });
    expect(e.REMOTE_ADDR).toBe('203.0.113.7');
  });

  it('an untrusted peer: its forwarding headers are ignored, environ unchanged', () => {
    const e = seen(['10.9.9.9'], {
      HTTP_X_FORWARDED_FOR: '203.0.113.7',
      HTTP_X_FORWARDED_PROTO: 'https',
    });
    expect([e.REMOTE_ADDR, e.REMOTE_PORT, e['tsgi.url_scheme']]).toEqual([
      '10.0.0.1',
      '5555',
      'http',
    ]);
  });

  it("'*' trusts every peer; a proto other than http/https is ignored; IPv4-mapped addresses match", () => {
    expect(seen('*', { HTTP_X_FORWARDED_FOR: '203.0.113.9' }).REMOTE_ADDR).toBe('203.0.113.9');
    expect(seen('*', { HTTP_X_FORWARDED_PROTO: 'javascript' })['tsgi.url_scheme']).toBe('http');
    expect(seen(['::ffff:10.0.0.1'], { HTTP_X_FORWARDED_FOR: '198.51.100.1' }).REMOTE_ADDR).toBe(
      '198.51.100.1',
    );
  });
});
