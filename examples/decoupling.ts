/**
 * The decoupling proof's request script: one list of requests, run against any example app on
 * any server (in memory, node:http, FastCGI behind nginx, CGI behind Apache, ...), normalised so
 * responses compare across servers, and a writer for the framework-by-server table.
 *
 * Dependency-free on purpose (node builtins only): it is imported by tests in several example
 * packages; a server leg needs only the base URL of its front end (`httpSender`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';

/** One request of the script. `path` is the request-target below the app's base URL. */
export interface ScriptRequest {
  name: string;
  method: string;
  path: string;
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: string;
}

/** What a server answered, before normalising. */
export interface RawResponse {
  status: number;
  headers: ReadonlyArray<readonly [string, string]>;
  body: Uint8Array;
}

/** The parts of a response every server must agree on. */
export interface NormalisedResponse {
  status: number;
  contentType: string | null;
  setCookie: string[];
  /**
   * Every other field as `name: value` (name lower-cased, sorted by name, repeated names in
   * order), except the ones `SERVER_FIELDS` lists: a field a server adds or loses shows here.
   */
  headers: string[];
  body: string;
}

/** Normalised responses by request name. */
export type ScriptResult = Record<string, NormalisedResponse>;

/** Sends one script request somewhere and returns the raw response. */
export type Send = (req: ScriptRequest) => Promise<RawResponse>;

/** The script. Every example app serves these routes (see examples/*\/app.ts). */
export const requests: readonly ScriptRequest[] = [
  { name: 'GET /', method: 'GET', path: '/' },
  { name: 'HEAD /', method: 'HEAD', path: '/' },
  { name: 'GET /echo', method: 'GET', path: '/echo?a=1&b=x%20y', headers: [['x-echo', 'hi']] },
  {
    name: 'POST /echo',
    method: 'POST',
    path: '/echo?via=post',
    headers: [
      ['content-type', 'text/plain; charset=utf-8'],
      ['x-echo', 'posted'],
    ],
    body: 'hello, TSGI \u00e9',
  },
  { name: 'GET /echo?q=%C3%A9&q=2', method: 'GET', path: '/echo?q=%C3%A9&q=2' },
  { name: 'GET /stream', method: 'GET', path: '/stream' },
  { name: 'GET /cookies', method: 'GET', path: '/cookies' },
  { name: 'GET /missing', method: 'GET', path: '/no-such-route' },
];

/**
 * Fields that are the web server's business, not the application's, so servers may differ on
 * them; every other field is compared. Each entry names the server behaviour it allows for.
 */
export const SERVER_FIELDS: ReadonlySet<string> = new Set([
  // Added by the web server itself (RFC 9110 §6.6.1, §10.2.4): node:http sends Date; nginx and
  // Apache send Date and Server (`nginx/1.22.1`, `Apache/2.4.x (Debian)`).
  'date',
  'server',
  // Connection management (hop-by-hop, RFC 9112 §9.6): each server decides persistence and
  // says so its own way (httpSender asks for `Connection: close`; all answer `close` today).
  'connection',
  'keep-alive',
  // Message framing (RFC 9112 §6): Apache re-frames CGI output as chunked and drops the app's
  // Content-Length; nginx sends a Content-Length on HEAD only when the backend gave one;
  // node:http chunks a body of unknown length. The body itself is compared byte for byte.
  'content-length',
  'transfer-encoding',
]);

/**
 * Keeps status (the number: reason phrases are not compared), media type (case and spacing
 * folded: `text/plain;charset=UTF-8` equals `text/plain; charset=utf-8`), every Set-Cookie in
 * order, every other field not in `SERVER_FIELDS` (names lower-cased: HTTP field names are
 * case-insensitive and nginx and Apache re-case them; sorted by name: each server orders its
 * own and the app's fields differently), and the body as text.
 */
export function normalise(res: RawResponse): NormalisedResponse {
  let contentType: string | null = null;
  const setCookie: string[] = [];
  const headers: string[] = [];
  for (const [name, value] of res.headers) {
    const n = name.toLowerCase();
    if (n === 'content-type' && contentType === null)
      contentType = value.toLowerCase().replace(/\s*;\s*/g, '; ');
    else if (n === 'set-cookie') setCookie.push(value);
    else if (!SERVER_FIELDS.has(n)) headers.push(`${n}: ${value}`); // incl. a 2nd content-type
  }
  // A stable sort by name: repeated fields keep their order, different names sort.
  headers.sort((a, b) => {
    const x = a.slice(0, a.indexOf(':'));
    const y = b.slice(0, b.indexOf(':'));
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return {
    status: res.status,
    contentType,
    setCookie,
    headers,
    body: new TextDecoder().decode(res.body),
  };
}

/**
 * Runs the whole script through `send`, one request at a time. `script` and `norm` default to
 * this file's; @tsgi/node-bridge's matrix passes a longer script and a normaliser of its own.
 */
export async function runScript(
  send: Send,
  script: readonly ScriptRequest[] = requests,
  norm: (res: RawResponse) => NormalisedResponse = normalise,
): Promise<ScriptResult> {
  const out: ScriptResult = {};
  for (const req of script) out[req.name] = norm(await send(req));
  return out;
}

/** The differences between two script results, as readable lines (empty when they agree). */
export function compare(
  expected: ScriptResult,
  actual: ScriptResult,
  script: readonly ScriptRequest[] = requests,
): string[] {
  const diffs: string[] = [];
  for (const req of script) {
    const a = JSON.stringify(expected[req.name]);
    const b = JSON.stringify(actual[req.name]);
    if (a !== b) diffs.push(`${req.name}: expected ${a}, got ${b}`);
  }
  return diffs;
}

/** The `request()` of `@tsgi/core/testing`, typed structurally so this file imports nothing. */
export type MemoryRequest<A> = (
  app: A,
  req: {
    method?: string;
    path?: string;
    headers?: ReadonlyArray<readonly [string, string]>;
    body?: string;
  },
) => Promise<RawResponse>;

/** Sends in memory through the real response engine (no sockets). */
export function memorySender<A>(app: A, request: MemoryRequest<A>): Send {
  return (req) => {
    const init: Parameters<MemoryRequest<A>>[1] = { method: req.method, path: req.path };
    if (req.headers !== undefined) init.headers = req.headers;
    if (req.body !== undefined) init.body = req.body;
    return request(app, init);
  };
}

/**
 * Sends over HTTP/1.1 with node:http (not fetch: the request-target goes out byte for byte and
 * repeated response fields stay apart). `baseUrl` may carry a path prefix, e.g. a CGI script's
 * `http://127.0.0.1:8080/cgi-bin/app.cgi`.
 */
export function httpSender(baseUrl: string, timeoutMs = 10_000): Send {
  const base = new URL(baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  return (req) =>
    new Promise<RawResponse>((resolve, reject) => {
      const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
      // Raw header arrays get no default Host from node:http; HTTP/1.1 requires one.
      const headers: Array<[string, string]> = [['host', base.host]];
      for (const [n, v] of req.headers ?? []) headers.push([n, v]);
      if (body !== undefined) headers.push(['content-length', String(body.length)]);
      const r = http.request(
        {
          host: base.hostname.replace(/^\[|\]$/g, ''),
          port: base.port === '' ? 80 : Number(base.port),
          method: req.method,
          path: prefix + req.path,
          headers: headers.flat(),
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const raw = res.rawHeaders;
            const pairs: Array<[string, string]> = [];
            for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
            resolve({ status: res.statusCode ?? 0, headers: pairs, body: Buffer.concat(chunks) });
          });
        },
      );
      r.setTimeout(timeoutMs, () => r.destroy(new Error(`${req.name}: timed out`)));
      r.on('error', reject);
      r.end(body);
    });
}

/** One run of the script: a framework on a server. */
export interface Run {
  framework: string;
  server: string;
  result: ScriptResult;
}

/** A cell of the table: how a framework's run on a server compares with its baseline run. */
export interface Cell {
  framework: string;
  server: string;
  passed: number;
  failed: number;
  differences: string[];
}

/** Compares every run with the same framework's run on `baseline` (default `memory`). */
export function matrix(runs: readonly Run[], baseline = 'memory'): Cell[] {
  const cells: Cell[] = [];
  for (const run of runs) {
    const base = runs.find((r) => r.framework === run.framework && r.server === baseline);
    const differences =
      base === undefined
        ? [`no ${baseline} run to compare with`]
        : compare(base.result, run.result);
    const failed = base === undefined ? requests.length : differences.length;
    cells.push({
      framework: run.framework,
      server: run.server,
      passed: requests.length - failed,
      failed,
      differences,
    });
  }
  return cells;
}

/** The table as Markdown: frameworks down, servers across, `✓ n/n` or `✗ passed/n`. */
export function renderMarkdown(cells: readonly Cell[]): string {
  const frameworks = [...new Set(cells.map((c) => c.framework))];
  const servers = [...new Set(cells.map((c) => c.server))];
  const lines = [
    `| framework | ${servers.join(' | ')} |`,
    `| --- | ${servers.map(() => '---').join(' | ')} |`,
  ];
  for (const f of frameworks) {
    const row = servers.map((s) => {
      const c = cells.find((x) => x.framework === f && x.server === s);
      if (c === undefined) return '–';
      return `${c.failed === 0 ? '✓' : '✗'} ${c.passed}/${c.passed + c.failed}`;
    });
    lines.push(`| ${f} | ${row.join(' | ')} |`);
  }
  const notes = cells.filter((c) => c.failed > 0);
  if (notes.length > 0) {
    lines.push('', 'Differences:', '');
    for (const c of notes)
      for (const d of c.differences) lines.push(`- ${c.framework} on ${c.server}: ${d}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes `decoupling.md` and `decoupling.json` (cells plus the raw runs) into `dir`. */
export function writeReport(runs: readonly Run[], dir: string, baseline = 'memory'): Cell[] {
  const cells = matrix(runs, baseline);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'decoupling.md'), renderMarkdown(cells));
  writeFileSync(
    join(dir, 'decoupling.json'),
    `${JSON.stringify({ requests, baseline, cells, runs }, null, 2)}\n`,
  );
  return cells;
}
