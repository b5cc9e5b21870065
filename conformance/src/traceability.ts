/**
 * Traceability (CONF-06): for every requirement of the spec, what checks it: server cases, the
 * lint, or nothing here, with the reason. A test keeps every MUST and SHOULD accounted for and
 * writes the table to conformance/traceability.json for the docs.
 */
import { LINT_REQUIREMENTS } from './lint/requirements.js';
import type { ServerCase } from './server/case.js';
import { CASES } from './server/cases/index.js';

/** A requirement as listed in spec/requirements.json. */
export interface SpecRequirement {
  id: string;
  level: string;
  title: string;
  untestable: boolean;
  file?: string;
}

/** How a requirement is checked. */
export interface TraceRow {
  id: string;
  level: string;
  title: string;
  /** `covered` by cases and/or lint; `untestable` (spec marker or below); `elsewhere`; `uncovered`. */
  status: 'covered' | 'untestable' | 'elsewhere' | 'uncovered';
  cases: string[];
  lint: string | null;
  reason: string | null;
}

const _FCGI =
  'a FastCGI record-level rule: checked by the tests of packages/fastcgi with its in-repo client; its effects on environ and responses are checked by the server suite run behind real web servers (pnpm conformance:matrix)';
const _CGI =
  'a CGI process-level rule: checked by the tests of packages/cgi; its effects on environ and responses are checked by the server suite run behind real web servers (pnpm conformance:matrix)';
const _SCGI =
  'an SCGI connection-level rule: checked by the tests of packages/scgi with raw sockets and behind nginx, Apache and lighttpd; its effects on environ and responses are checked by the server suite run behind real web servers (pnpm conformance:matrix)';
const _FETCH =
  'a fetch-runtime rule: checked by the tests of packages/fetch and packages/serve on real Bun, Deno and workerd; its effects on environ and responses are checked by the server suite run on each runtime (pnpm conformance:matrix, profiles bun, deno and workerd)';
const _H2 =
  'an HTTP/2 rule of the node profile: checked with node:http2 and curl by packages/node/test/http2.test.ts; the server suite runs every case over HTTP/2 as well (pnpm conformance:matrix, column node-h2)';
const _CONFIG = 'depends on deployment configuration the suite neither sets nor can see';

/** Requirements neither a server case nor the lint checks, and why. */
export const NOT_CHECKED_HERE: Readonly<
  Record<string, { kind: 'untestable' | 'elsewhere'; reason: string }>
> = {
  'ENV-26': {
    kind: 'untestable',
    reason: 'a design rule for extension APIs; nothing on the wire shows it',
  },
  'ERRS-03': {
    kind: 'elsewhere',
    reason: "log bytes never reach the client; checked by the adapters' own tests",
  },
  'MW-01': {
    kind: 'elsewhere',
    reason:
      'checked through the other rules: in lint(mw(lint(app))) the inner layer checks the middleware as a server, the outer one as an application',
  },
  'MW-06': {
    kind: 'elsewhere',
    reason:
      'seen by the lint layer above the middleware as SR-09 (a second startResponse without excInfo)',
  },
  'MW-09': {
    kind: 'elsewhere',
    reason:
      'replacement objects are checked by the inner lint layer (ENV-20, ENV-21, ENV-24); their link to the originals is not observable',
  },
  'EXT-05': {
    kind: 'untestable',
    reason: 'reserves a key and puts connection takeover outside TSGI 1.0',
  },
  'EXT-06': { kind: 'untestable', reason: 'a documentation rule for the extension registry' },
  'SRV-01': { kind: 'untestable', reason: 'a documentation rule' },
  'SRV-03': { kind: 'untestable', reason: _CONFIG },
  'SRV-04': { kind: 'untestable', reason: _CONFIG },
  'SRV-06': { kind: 'untestable', reason: `${_CONFIG}; default timeouts run to tens of seconds` },
  'SRV-08': { kind: 'untestable', reason: _CONFIG },
  'SRV-11': { kind: 'untestable', reason: _CONFIG },
  'SRV-09': {
    kind: 'elsewhere',
    reason:
      "shutdown is driven through the server's own API, not the wire; checked by the adapters' tests",
  },
  'SRV-12': {
    kind: 'elsewhere',
    reason:
      "resource growth is measured inside the server process (descriptors, heap, RSS); checked by the stress suite's disconnect storms and fault runs (stress/)",
  },
  'SRV-13': {
    kind: 'elsewhere',
    reason:
      'worker replacement needs a multi-process server under load; checked by the stress suite (stress/test/shutdown.test.ts)',
  },
  'ADP-NODE-13': {
    kind: 'elsewhere',
    reason:
      'needs the connection limit and timeouts set low and many connections held open; checked by packages/node and the stress suite (stress/test/attack-catalogue.test.ts)',
  },
  'ADP-NODE-14': {
    kind: 'elsewhere',
    reason:
      "the access log is the server's own output, not on the wire; checked by packages/node's tests",
  },
  'ADP-NODE-15': { kind: 'elsewhere', reason: _H2 },
  'ADP-NODE-16': { kind: 'elsewhere', reason: _H2 },
  'ADP-NODE-17': { kind: 'elsewhere', reason: _H2 },
  'ADP-NODE-18': {
    kind: 'elsewhere',
    reason:
      "needs a TLS listener and client certificates the suite's client does not present; checked by packages/node/test/http2.test.ts",
  },
  'ADP-NODE-19': { kind: 'elsewhere', reason: _H2 },
  'WS-11': {
    kind: 'elsewhere',
    reason:
      'send() backpressure needs a client that stops reading megabytes; checked on node, Bun and Deno by packages/serve/test/websocket.test.ts (slow consumer)',
  },
  'WS-12': {
    kind: 'elsewhere',
    reason:
      'the unread bound needs megabytes an application does not take; checked by packages/core/test/websocket.test.ts',
  },
  'WS-14': {
    kind: 'elsewhere',
    reason:
      'needs a 16 MiB message; checked on node, Bun and Deno by packages/serve/test/websocket.test.ts',
  },
  'WS-16': {
    kind: 'elsewhere',
    reason:
      "shutdown is driven through the server's own API; checked by packages/serve/test/websocket-node.test.ts",
  },
  'WS-17': {
    kind: 'elsewhere',
    reason:
      'the keepalive takes 20 s by default; checked with short intervals by packages/core/test/websocket.test.ts',
  },
  'ADP-NODE-20': {
    kind: 'elsewhere',
    reason:
      "the key's presence follows serve()'s options; checked by packages/serve/test/websocket-node.test.ts",
  },
  'ADP-NODE-21': {
    kind: 'elsewhere',
    reason:
      'the access log and the raw-socket answers; checked by packages/serve/test/websocket-node.test.ts and websocket.test.ts',
  },
  'ADP-NODE-22': {
    kind: 'elsewhere',
    reason: 'an h2c upgrade request; checked by packages/serve/test/websocket-node.test.ts',
  },
  'ADP-NODE-23': {
    kind: 'elsewhere',
    reason:
      'needs the connection limit set low and shutdown driven; checked by packages/serve/test/websocket-node.test.ts',
  },
  'BODY-24': {
    kind: 'elsewhere',
    reason:
      "graceful shutdown is driven through the server's own API and its log is the server's own, neither on the wire; for the adapters' tests, like SRV-09",
  },
};

/** Computes the table for `requirements` from the case table and the lint's list. */
export function traceability(
  requirements: readonly SpecRequirement[],
  cases: readonly ServerCase[] = CASES,
): TraceRow[] {
  return requirements.map((r) => {
    const byCases = cases.filter((c) => c.requirements.includes(r.id)).map((c) => c.id);
    const lint = LINT_REQUIREMENTS[r.id] ?? null;
    const exempt =
      NOT_CHECKED_HERE[r.id] ??
      (r.id.startsWith('ADP-FCGI-') ? { kind: 'elsewhere' as const, reason: _FCGI } : undefined) ??
      (r.id.startsWith('ADP-CGI-') ? { kind: 'elsewhere' as const, reason: _CGI } : undefined) ??
      (r.id.startsWith('ADP-SCGI-') ? { kind: 'elsewhere' as const, reason: _SCGI } : undefined) ??
      (r.id.startsWith('ADP-FETCH-') ? { kind: 'elsewhere' as const, reason: _FETCH } : undefined);
    let status: TraceRow['status'] = 'uncovered';
    let reason: string | null = null;
    if (byCases.length > 0 || lint !== null) status = 'covered';
    else if (r.untestable) {
      status = 'untestable';
      reason = 'marked untestable in the spec';
    } else if (exempt !== undefined) {
      status = exempt.kind;
      reason = exempt.reason;
    }
    return { id: r.id, level: r.level, title: r.title, status, cases: byCases, lint, reason };
  });
}
