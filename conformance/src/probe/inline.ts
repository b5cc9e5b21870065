/**
 * Observations delivered in the response itself, for servers where the probe cannot keep a store
 * shared between requests (isolate runtimes: Deno Deploy, Workers, ...), see the stateless mode of
 * `createProbe`. A request carrying `x-tsgi-observe: inline` (every request of
 * `tsgi-conformance server --stateless`; every request to a stateless probe) gets:
 *
 * - from the endpoints whose body is a document of the probe's own (env, echo, errors, ext, the
 *   probe's JSON and text answers), a response header `x-tsgi-observation`: the observation at
 *   the moment the response started (environ omitted: the env endpoint's body has it), base64 of
 *   its UTF-8 JSON;
 * - from the `write` endpoint, whose body is under test but has no declared length, a trailing
 *   document after the last chunk: `TRAILER_MARK` then the same base64, announced by the header
 *   `x-tsgi-observation-trailer: 1`; the suite cuts it off before a case sees the body.
 *
 * What happens after the response was sent (the body's release, hooks, disconnects) cannot
 * travel this way: cases that need it are `unobservable` without the `store` capability.
 */
import type { Observation } from './store.js';

/** Request header asking for inline observations; its value is `inline`. */
export const OBSERVE_HEADER = 'x-tsgi-observe';
/** Response header carrying the observation. */
export const OBSERVATION_HEADER = 'x-tsgi-observation';
/** Response header announcing a trailing observation document in the body. */
export const TRAILER_HEADER = 'x-tsgi-observation-trailer';
/** What separates the body under test from the trailing observation. */
export const TRAILER_MARK = '\n--tsgi-observation--\n';

/** At most this many violations travel inline (a header must stay small). */
const _MAX_VIOLATIONS = 12;

/** The observation as an ASCII string for a header value or a trailing document. */
export function encodeObservation(o: Observation): string {
  const slim: Observation = {
    ...o,
    environ: {},
    violations: o.violations.slice(0, _MAX_VIOLATIONS),
  };
  const bytes = new TextEncoder().encode(JSON.stringify(slim));
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** Decodes `encodeObservation`; undefined when `text` is not one. */
export function decodeObservation(text: string): Observation | undefined {
  try {
    const bin = atob(text.trim());
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    const o = JSON.parse(new TextDecoder().decode(bytes)) as Observation;
    return typeof o === 'object' && o !== null && typeof o.token === 'string' ? o : undefined;
  } catch {
    return undefined;
  }
}
