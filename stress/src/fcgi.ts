/** FastCGI helpers for the stress tests: the params a web server sends, and bounded requests. */
import { type FastCGIClient, type FastCGIResponse, parseCgiResponse } from '@tsgi/fastcgi/client';

/** The CGI variables nginx sends for `GET path` (path may carry a query). */
export function params(path: string, extra: Record<string, string> = {}): Record<string, string> {
  const q = path.indexOf('?');
  return {
    GATEWAY_INTERFACE: 'CGI/1.1',
    REQUEST_METHOD: 'GET',
    SCRIPT_NAME: '',
    PATH_INFO: q < 0 ? path : path.slice(0, q),
    QUERY_STRING: q < 0 ? '' : path.slice(q + 1),
    REQUEST_URI: path,
    SERVER_PROTOCOL: 'HTTP/1.1',
    SERVER_NAME: 'localhost',
    SERVER_PORT: '80',
    REMOTE_ADDR: '127.0.0.1',
    REMOTE_PORT: '50000',
    HTTP_HOST: 'localhost',
    ...extra,
  };
}

/** Status and body text of a complete FastCGI response; status 0 when it was incomplete. */
export function outcome(res: FastCGIResponse): { status: number; text: string; complete: boolean } {
  if (!res.complete || res.appStatus !== 0) return { status: 0, text: '', complete: false };
  try {
    const r = parseCgiResponse(res.stdout);
    return { status: r.status, text: Buffer.from(r.body).toString('latin1'), complete: true };
  } catch {
    return { status: 0, text: '', complete: false };
  }
}

/** `client.request` with a deadline: rejects when no END_REQUEST or close arrives in `ms`. */
export function requestWithin(
  client: FastCGIClient,
  path: string,
  ms = 10_000,
  extra: Record<string, string> = {},
): Promise<FastCGIResponse> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`FastCGI request ${path} took over ${ms} ms`)), ms);
    client.request({ params: params(path, extra) }).then(
      (r) => {
        clearTimeout(t);
        resolve(r);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
