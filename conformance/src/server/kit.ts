/** The `CaseContext` implementation: request building, raw connections, observations. */
import { randomBytes } from 'node:crypto';
import type { Observation } from '../probe/store.js';
import {
  type CaseContext,
  CaseFailure,
  CaseSkipped,
  type ProbeRequest,
  type TransportProfile,
} from './case.js';
import { Connection, type ReadOptions } from './connection.js';

/** The server under test. */
export interface Target {
  url: URL;
  mount: string;
  profile: TransportProfile;
}

/** A case context plus what the runner needs afterwards. */
export interface Kit extends CaseContext {
  readonly tokens: string[];
  /** Closes every connection the case opened. */
  cleanup(): void;
  /** Fetches an observation once, without waiting; undefined when there is none. */
  peek(token: string): Promise<Observation | undefined>;
}

const _show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : _json(v));
const _json = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 300 ? `${s.slice(0, 300)}...` : s;
};

/** A target from its parts. */
export function createKitTarget(url: string, mount: string, profile: TransportProfile): Target {
  return { url: new URL(url), mount: mount.replace(/\/$/, ''), profile };
}

/** Creates the context for one case. */
export function createKit(target: Target): Kit {
  const connections: Connection[] = [];
  const tokens: string[] = [];
  const base = `${target.mount}/__tsgi/`;

  const kit: Kit = {
    url: target.url,
    mount: target.mount,
    profile: target.profile,
    tokens,
    token() {
      const t = `t${randomBytes(9).toString('base64url')}`;
      tokens.push(t);
      return t;
    },
    target: (path, query) => `${base}${path}${query === undefined ? '' : `?${query}`}`,
    build(req: ProbeRequest, token?: string): string {
      const headers: Array<readonly [string, string]> = [['Host', target.url.host]];
      if (token !== undefined) headers.push(['X-TSGI-Token', token]);
      headers.push(...(req.headers ?? []));
      const has = (n: string) => headers.some(([k]) => k.toLowerCase() === n);
      const body =
        req.body === undefined
          ? ''
          : typeof req.body === 'string'
            ? req.body
            : Buffer.from(req.body).toString('latin1');
      if (req.body !== undefined && !has('transfer-encoding') && !has('content-length'))
        headers.push(['Content-Length', String(body.length)]);
      if (req.close === true) headers.push(['Connection', 'close']);
      const line = `${req.method ?? 'GET'} ${kit.target(req.path, req.query)} ${req.version ?? 'HTTP/1.1'}`;
      return `${[line, ...headers.map(([k, v]) => `${k}: ${v}`)].join('\r\n')}\r\n\r\n${body}`;
    },
    async connect() {
      const c = await Connection.open(target.url);
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
      const conn = await Connection.open(target.url);
      try {
        conn.send(kit.build({ path: `observations/${token}`, close: true }));
        const res = await conn.readResponse({ timeout: 5000 });
        return res.status === 200 ? (JSON.parse(res.text()) as Observation) : undefined;
      } finally {
        conn.destroy();
      }
    },
    async observe(token, until = () => true, ms = 3000) {
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
    async openGate(token) {
      const conn = await Connection.open(target.url);
      try {
        conn.send(kit.build({ path: `gate/${token}`, close: true }));
        await conn.readResponse();
      } finally {
        conn.destroy();
      }
    },
    check(requirement, ok, expected, actual) {
      if (!ok) throw new CaseFailure(requirement, expected, _show(actual));
    },
    equal(requirement, actual, expected, what) {
      if (_json(actual) !== _json(expected))
        throw new CaseFailure(requirement, `${what} = ${_show(expected)}`, _show(actual));
    },
    skip(reason): never {
      throw new CaseSkipped(reason);
    },
    cleanup() {
      for (const c of connections) c.destroy();
    },
  };
  return kit;
}
