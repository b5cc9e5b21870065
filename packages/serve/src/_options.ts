/** What every fetch-runtime entry derives from `ServeOptions` the same way. */
import type { ToFetchOptions } from '@tsgi/fetch';
import type { ServeOptions } from './types.js';

/** The default listen address: loopback, so nothing is exposed by accident. */
export const DEFAULT_HOSTNAME = '127.0.0.1';
export const DEFAULT_PORT = 8000;

/** `toFetch` options from `ServeOptions`, with SERVER_SOFTWARE naming `runtime` (ENV-17). */
export function fetchOptions(options: ServeOptions, runtime: string): ToFetchOptions {
  const out: ToFetchOptions = { software: options.software ?? `tsgi-serve/0.1.0 ${runtime}` };
  if (options.scriptName !== undefined) out.scriptName = options.scriptName;
  if (options.environ !== undefined) out.environ = options.environ;
  if (options.maxBodySize !== undefined) out.maxBodySize = options.maxBodySize;
  if (options.errors !== undefined) out.errors = options.errors;
  if (options.exposeErrors !== undefined) out.exposeErrors = options.exposeErrors;
  return out;
}

/** `http://host:port`, with an IPv6 literal in brackets. */
export function urlOf(scheme: 'http' | 'https', hostname: string, port: number): string {
  return `${scheme}://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`;
}
