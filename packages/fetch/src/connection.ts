/**
 * What a fetch runtime tells a handler about the connection, beside the `Request` (ENV-17): Bun
 * passes its `Server` (`server.requestIP(request)`), Deno an info object (`info.remoteAddr`),
 * workerd its bindings (nothing about the peer). A `Request` alone carries none of it, so
 * `toFetch` reads the handler's second argument here, by shape, never by runtime name.
 */

/** The client's address as the fetch runtime knows it (ENV-17). */
export interface RemoteAddress {
  /** `REMOTE_ADDR`. */
  addr?: string | undefined;
  /** `REMOTE_PORT`. */
  port?: string | number | undefined;
}

/** Bun's `Server`, as far as `toFetch` uses it. */
interface _BunServer {
  requestIP(request: Request): { address: string; port: number } | null;
}

/** Deno's `ServeHandlerInfo`, as far as `toFetch` uses it. */
interface _DenoInfo {
  remoteAddr: { hostname?: string; port?: number; transport?: string };
}

/**
 * The client's address from a fetch handler's second argument, or `undefined` when it says
 * nothing: `server.requestIP(request)` on Bun, `info.remoteAddr` on Deno (TCP only; a unix
 * socket has no peer address, and ENV-02 wants the variables absent rather than empty).
 */
export function runtimeRemote(request: Request, info: unknown): RemoteAddress | undefined {
  if (info === null || typeof info !== 'object') return undefined;
  if (typeof (info as _BunServer).requestIP === 'function') {
    const ip = (info as _BunServer).requestIP(request);
    return ip === null ? undefined : { addr: ip.address, port: ip.port };
  }
  const remote = (info as Partial<_DenoInfo>).remoteAddr;
  if (remote !== undefined && remote !== null && typeof remote.hostname === 'string') {
    return { addr: remote.hostname, port: remote.port };
  }
  return undefined;
}

/**
 * `SERVER_SOFTWARE` (ENV-17): the bridge and the runtime it runs on, as the runtime names itself
 * in `navigator.userAgent` (`Bun/1.4.5`, `Deno/2.9.6`, `Cloudflare-Workers`, `Node.js/22`).
 */
export function defaultSoftware(): string {
  const agent = _agent();
  return agent !== '' ? `tsgi-fetch/0.1.0 ${agent}` : 'tsgi-fetch/0.1.0';
}

/** True on Deno, where a `content-length` field triples the cost of `new Response` (response-head.ts). */
export function lengthIsCostly(): boolean {
  return _agent().startsWith('Deno/');
}

function _agent(): string {
  const agent = (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent;
  return typeof agent === 'string' ? agent : '';
}
