/**
 * The context `fromFetch` passes as a fetch handler's second argument: the subset of the WinterTC
 * Fetch Server draft's `ServerContext` that environ can answer, plus `environ` itself as the escape
 * hatch to everything else (see README.md for the full mapping).
 */
import { type Environ, isDigits } from '@tsgi/core';

/** An endpoint, as the draft's `SocketAddress` dictionary. */
export interface SocketAddress {
  address: string;
  port: number;
  family: 'IPv4' | 'IPv6';
}

/** What a fetch handler run by `fromFetch` receives as its second argument. */
export interface FetchContext {
  /** The request (the same object as the handler's first argument). */
  readonly request: Request;
  /** The TSGI environ of this request: everything the fetch types cannot carry. */
  readonly environ: Environ;
  /** The client, from REMOTE_ADDR and REMOTE_PORT (ENV-17); null when the server did not say. */
  readonly remoteAddress: SocketAddress | null;
  /** The server side of the connection, from SERVER_ADDR and SERVER_PORT; null when absent. */
  readonly localAddress: SocketAddress | null;
  /** The ALPN identifier for SERVER_PROTOCOL: `http/1.1`, `http/1.0`, `h2` or `h3` (ENV-11). */
  readonly alpnProtocol: string;
  /** True when the server's own hop is TLS (`tsgi.url_scheme` is `https`, ENV-19). */
  readonly encrypted: boolean;
  /** The TLS SNI name when the server passed one (`SSL_TLS_SNI`, as Apache mod_ssl does). */
  readonly serverName: string | null;
  /** Settles once the response body has finished or been released (BODY-06). */
  readonly completed: Promise<void>;
  /**
   * Keeps a promise from going unobserved: a rejection is logged to `tsgi.errors`. TSGI servers
   * do not extend the request's lifetime for it, and a CGI process (`tsgi.run_once`) may exit first.
   */
  waitUntil(promise: PromiseLike<unknown>): void;
}

function _address(address: unknown, port: unknown): SocketAddress | null {
  if (typeof address !== 'string' || address === '') return null;
  const n = typeof port === 'string' && port.length <= 5 && isDigits(port) ? Number(port) : 0;
  return { address, port: n, family: address.includes(':') ? 'IPv6' : 'IPv4' };
}

/** `FetchContext` over one environ; every property is computed on first use. */
export class Context implements FetchContext {
  readonly request: Request;
  readonly environ: Environ;
  #completed: Promise<void> | undefined;
  #settle: (() => void) | undefined;
  #settled = false;

  constructor(environ: Environ, request: Request) {
    this.environ = environ;
    this.request = request;
  }

  get remoteAddress(): SocketAddress | null {
    return _address(this.environ.REMOTE_ADDR, this.environ.REMOTE_PORT);
  }

  get localAddress(): SocketAddress | null {
    return _address(this.environ.SERVER_ADDR, this.environ.SERVER_PORT);
  }

  get alpnProtocol(): string {
    const p = this.environ.SERVER_PROTOCOL;
    if (p === 'HTTP/2' || p === 'HTTP/2.0') return 'h2';
    if (p === 'HTTP/3' || p === 'HTTP/3.0') return 'h3';
    return p.toLowerCase();
  }

  get encrypted(): boolean {
    return this.environ['tsgi.url_scheme'] === 'https';
  }

  get serverName(): string | null {
    const sni = this.environ.SSL_TLS_SNI;
    return typeof sni === 'string' && sni !== '' ? sni : null;
  }

  get completed(): Promise<void> {
    this.#completed ??= this.#settled
      ? Promise.resolve()
      : new Promise((resolve) => {
          this.#settle = resolve;
        });
    return this.#completed;
  }

  waitUntil(promise: PromiseLike<unknown>): void {
    const errors = this.environ['tsgi.errors'];
    Promise.resolve(promise).then(undefined, (err: unknown) => {
      errors.write(
        `@tsgi/fetch: waitUntil promise rejected: ${err instanceof Error ? (err.stack ?? err) : String(err)}\n`,
      );
    });
  }

  /** Called by the body once finished or released. */
  settle(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#settle?.();
  }
}
