/** The `CaseContext` implementation: request building, raw connections, observations. */
import { randomBytes } from 'node:crypto';
import {
  decodeObservation,
  OBSERVATION_HEADER,
  TRAILER_HEADER,
  TRAILER_MARK,
} from '../probe/inline.js';
import type { Observation } from '../probe/store.js';
import {
  type Capability,
  type CaseContext,
  CaseFailure,
  CaseSkipped,
  CaseUnobservable,
  type ProbeRequest,
  type TransportProfile,
} from './case.js';
import { Connection, type ReadOptions } from './connection.js';
import type { RawResponse } from './http-parser.js';

/** The server under test. */
export interface Target {
  url: URL;
  /** The scheme of the server's own connection (`tsgi.url_scheme`); default the URL's. */
  scheme?: 'http' | 'https';
  mount: string;
  profile: TransportProfile;
  /** Ask the probe for inline observations (`x-tsgi-observe: inline`, `--stateless`). */
  inline?: boolean;
}

/** A case context plus what the runner needs afterwards. */
export interface Kit extends CaseContext {
  readonly tokens: string[];
  /** Failures of requirements the profile relaxes, in order; the case went on after them. */
  readonly relaxed: CaseFailure[];
  /** Parts of the case that could not be checked here (`unobserved`). */
  readonly unobservedParts: Array<{ capability: Capability; what: string }>;
  /** Closes every connection the case opened. */
  cleanup(): void;
  /** Fetches an observation once, without waiting; undefined when there is none. */
  peek(token: string): Promise<Observation | undefined>;
}

/** How long a timed hold keeps the application waiting (servers without `gates`). */
export const HOLD_MS = 2000;

const _show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : _json(v));
const _json = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 300 ? `${s.slice(0, 300)}...` : s;
};

/** A target from its parts. */
export function createKitTarget(
  url: string,
  mount: string,
  profile: TransportProfile,
  inline = false,
): Target {
  return { url: new URL(url), mount: mount.replace(/\/$/, ''), profile, inline };
}

/**
 * Takes the inline observation off a response (inline.ts): the header is recorded; a trailing
 * document is recorded and cut from the body, so cases see the body the application produced.
 */
function _takeInline(res: RawResponse, seen: Map<string, Observation>): RawResponse {
  const header = res.header(OBSERVATION_HEADER);
  const o = header === undefined ? undefined : decodeObservation(header);
  if (o !== undefined) seen.set(o.token, o);
  if (res.header(TRAILER_HEADER) !== '1') return res;
  const latin1 = Buffer.from(res.body).toString('latin1');
  const at = latin1.lastIndexOf(TRAILER_MARK);
  if (at < 0) return res;
  const trailing = decodeObservation(latin1.slice(at + TRAILER_MARK.length));
  if (trailing !== undefined) seen.set(trailing.token, trailing);
  const body = res.body.subarray(0, at);
  return { ...res, body, text: () => new TextDecoder().decode(body) };
}

/** Creates the context for one case. */
export function createKit(target: Target): Kit {
  const connections: Connection[] = [];
  const tokens: string[] = [];
  const inline = new Map<string, Observation>();
  const base = `${target.mount}/__tsgi/`;
  const has = (c: Capability): boolean => target.profile.capabilities.includes(c);
  const fail = (failure: CaseFailure): void => {
    if (target.profile.relaxes?.[failure.requirement] === undefined) throw failure;
    kit.relaxed.push(failure);
  };
  const open = async (): Promise<Connection> => {
    const c = await Connection.open(target.url);
    c.filter = (res) => _takeInline(res, inline);
    return c;
  };

  const kit: Kit = {
    url: target.url,
    scheme: target.scheme ?? (target.url.protocol === 'https:' ? 'https' : 'http'),
    mount: target.mount,
    profile: target.profile,
    tokens,
    relaxed: [],
    unobservedParts: [],
    has,
    token() {
      const t = `t${randomBytes(9).toString('base64url')}`;
      tokens.push(t);
      return t;
    },
    target: (path, query) => `${base}${path}${query === undefined ? '' : `?${query}`}`,
    build(req: ProbeRequest, token?: string): string {
      const headers: Array<readonly [string, string]> = [['Host', target.url.host]];
      if (token !== undefined) headers.push(['X-TSGI-Token', token]);
      if (token !== undefined && target.inline === true) headers.push(['X-TSGI-Observe', 'inline']);
      headers.push(...(req.headers ?? []));
      const hasHeader = (n: string) => headers.some(([k]) => k.toLowerCase() === n);
      const body =
        req.body === undefined
          ? ''
          : typeof req.body === 'string'
            ? req.body
            : Buffer.from(req.body).toString('latin1');
      if (req.body !== undefined && !hasHeader('transfer-encoding') && !hasHeader('content-length'))
        headers.push(['Content-Length', String(body.length)]);
      if (req.close === true) headers.push(['Connection', 'close']);
      const line = `${req.method ?? 'GET'} ${kit.target(req.path, req.query)} ${req.version ?? 'HTTP/1.1'}`;
      return `${[line, ...headers.map(([k, v]) => `${k}: ${v}`)].join('\r\n')}\r\n\r\n${body}`;
    },
    async connect() {
      const c = await open();
      connections.push(c);
      return c;
    },
    async fetch(req: ProbeRequest, options: ReadOptions = {}) {
      const token = kit.token();
      const conn = await kit.connect();
      conn.send(kit.build(req, token));
      const res = await conn.readResponse({ head: req.method === 'HEAD', ...options });
      return { res, token, conn };
    },
    async peek(token: string) {
      if (!has('store')) return inline.get(token);
      const conn = await open();
      try {
        conn.send(kit.build({ path: `observations/${token}`, close: true }));
        const res = await conn.readResponse({ timeout: 5000 });
        if (res.status === 404 && res.text().includes('stateless probe'))
          throw new Error(
            'the probe runs stateless (TSGI_PROBE_STATELESS=1): run the suite with --stateless',
          );
        return res.status === 200 ? (JSON.parse(res.text()) as Observation) : undefined;
      } finally {
        conn.destroy();
      }
    },
    async observe(token, until = () => true, ms = 3000) {
      if (!has('store')) {
        // Only what the response carried is known; it cannot be asked for again.
        const o = inline.get(token);
        if (o !== undefined && until(o)) return o;
        throw new CaseUnobservable(
          'store',
          o === undefined
            ? 'the response carried no observation'
            : 'what the application did after its response started',
        );
      }
      const deadline = Date.now() + ms;
      let last: Observation | undefined;
      for (;;) {
        last = await kit.peek(token);
        if (last !== undefined && until(last)) return last;
        if (Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      if (last === undefined)
        throw new Error(`the probe has no observation for ${token}: did the request reach it?`);
      return last;
    },
    async invoked(token, ms = 200) {
      if (inline.has(token)) return true;
      if (!has('store')) return undefined;
      const seen = await kit.observe(token, () => true, ms).catch(() => undefined);
      return seen !== undefined;
    },
    async openGate(token) {
      if (!has('gates')) throw new CaseUnobservable('gates');
      const conn = await open();
      try {
        conn.send(kit.build({ path: `gate/${token}`, close: true }));
        await conn.readResponse();
      } finally {
        conn.destroy();
      }
    },
    hold(token, query) {
      if (has('gates')) return { query, window: 3000, release: () => kit.openGate(token) };
      return {
        query: `${query === '' ? '' : `${query}&`}hold=${HOLD_MS}`,
        window: HOLD_MS - 500,
        release: async () => {},
      };
    },
    check(requirement, ok, expected, actual) {
      if (!ok) fail(new CaseFailure(requirement, expected, _show(actual)));
    },
    equal(requirement, actual, expected, what) {
      if (_json(actual) !== _json(expected))
        fail(new CaseFailure(requirement, `${what} = ${_show(expected)}`, _show(actual)));
    },
    skip(reason): never {
      throw new CaseSkipped(reason);
    },
    unobservable(capability, what): never {
      throw new CaseUnobservable(capability, what);
    },
    unobserved(capability, what) {
      kit.unobservedParts.push({ capability, what });
    },
    cleanup() {
      for (const c of connections) c.destroy();
    },
  };
  return kit;
}
