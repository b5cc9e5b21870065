/**
 * `proxyHeaders(app, { trusted })`: the middleware ENV-19 leaves forwarding headers to. Behind a
 * reverse proxy the server's own hop is the proxy; a request from a trusted proxy's address gets
 * the client's scheme from `X-Forwarded-Proto` and the client's address from `X-Forwarded-For`,
 * as uvicorn's `--forwarded-allow-ips` and gunicorn's `forwarded_allow_ips` do.
 */
import type { Application, Environ } from './types.js';

/** Options for {@link proxyHeaders}. */
export interface ProxyHeadersOptions {
  /** Proxy addresses whose forwarding headers are believed; `'*'` believes every peer. */
  trusted: readonly string[] | '*';
}

/**
 * Wraps `app` so a request whose `REMOTE_ADDR` is a trusted proxy sees, in a copy of environ
 * (MW-08): `tsgi.url_scheme` and `HTTPS` from the last `X-Forwarded-Proto` value when it is
 * `http` or `https`; `REMOTE_ADDR` from `X-Forwarded-For`, read from the right, the first address
 * that is not itself a trusted proxy (a client cannot spoof what the last trusted proxy added);
 * `REMOTE_PORT` removed, since it was the proxy's. Requests from other peers pass unchanged.
 */
export function proxyHeaders(app: Application, options: ProxyHeadersOptions): Application {
  const all = options.trusted === '*';
  const trusted = new Set(all ? [] : (options.trusted as readonly string[]).map(_normalise));
  const isTrusted = (address: string): boolean => all || trusted.has(_normalise(address));
  return (environ, startResponse) => {
    const peer = environ.REMOTE_ADDR;
    if (typeof peer !== 'string' || !isTrusted(peer)) return app(environ, startResponse);
    const inner: Environ = { ...environ };
    const proto = _last(environ.HTTP_X_FORWARDED_PROTO)?.toLowerCase();
    if (proto === 'https' || proto === 'http') {
      inner['tsgi.url_scheme'] = proto;
      if (proto === 'https') inner.HTTPS = 'on';
      else delete inner.HTTPS;
    }
    const forwarded = environ.HTTP_X_FORWARDED_FOR;
    if (typeof forwarded === 'string') {
      const hops = forwarded.split(',').map((h) => h.trim());
      let client: string | undefined;
      for (let i = hops.length - 1; i >= 0; i--) {
        client = hops[i] ?? '';
        if (client === '' || !isTrusted(client)) break;
      }
      if (client !== undefined && client !== '') {
        inner.REMOTE_ADDR = client;
        delete inner.REMOTE_PORT;
      }
    }
    return app(inner, startResponse);
  };
}

/** The last of a comma-separated header's values (what the nearest proxy said). */
function _last(value: string | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const i = value.lastIndexOf(',');
  return (i < 0 ? value : value.slice(i + 1)).trim();
}

/** `::ffff:1.2.3.4` is `1.2.3.4`; IPv6 in lower case. */
function _normalise(address: string): string {
  const a = address.trim().toLowerCase();
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}
