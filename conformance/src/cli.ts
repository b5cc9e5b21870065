/**
 * `tsgi-conformance`: the command line.
 *
 *   tsgi-conformance server --url URL [--mount PREFIX] [--profile http|node|fastcgi|scgi|cgi|bun|deno|workerd]
 *                           [--without CAP,...] [--with CAP,...] [--stateless] [--scheme https]
 *                           [--only ID-PREFIX]... [--strict] [--json FILE] [--junit FILE]
 *                           [--html FILE] [--list]
 *   tsgi-conformance app APP [--only ID-PREFIX]... [--strict] [--json FILE] [--junit FILE]
 *                            [--html FILE]
 *
 * Exit status 0 when every MUST case passes (with --strict, every SHOULD case too), 1 when one
 * fails, 2 on a usage error.
 */
import { parseArgs } from 'node:util';
import { formatCase, formatSummary, formatTarget, writeReports } from './report/index.js';
import { CAPABILITIES, type ServerCase, type TransportProfile } from './server/case.js';
import { CASES } from './server/cases/index.js';
import { DEFAULT_PROFILE, PROFILES, resolveProfile } from './server/profiles.js';
import { runServerSuite, type SuiteReport, selectCases } from './server/runner.js';

/** `items` joined with ", ", wrapped to lines of at most `width`, continued with `indent`. */
function _wrap(items: readonly string[], width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    const next = line === '' ? item : `${line}, ${item}`;
    if (next.length > width && line !== '') {
      lines.push(`${line},`);
      line = item;
    } else line = next;
  }
  lines.push(line);
  return lines.join(`\n${indent}`);
}

const _USAGE = `usage:
  tsgi-conformance server --url URL [--mount PREFIX] [--profile ${Object.keys(PROFILES).join('|')}]
                          [--without CAP,...] [--with CAP,...] [--stateless]
                          [--only ID-PREFIX]... [--strict] [--json FILE] [--junit FILE]
                          [--html FILE] [--list]
  tsgi-conformance app APP [--only ID-PREFIX]... [--strict] [--json FILE] [--junit FILE]
                           [--html FILE]

server  runs the server suite against a server hosting @tsgi/conformance/probe
        (e.g. tsgi serve @tsgi/conformance/probe); --only takes a case ID or requirement
        prefix (environ/, SR-, BODY-05) and may be repeated
        --profile     ${Object.values(PROFILES)
          .map((p) => `${p.name}: ${p.description ?? ''}`)
          .join('\n                      ')}
                      (default ${DEFAULT_PROFILE})
        --without     capabilities your server or runtime cannot expose; cases needing them
                      are reported "cannot be observed here", not failed
        --with        capabilities to add to the profile
        --stateless   the probe runs stateless (TSGI_PROBE_STATELESS=1, isolate runtimes):
                      observations come inline; implies --without gates,store
        --scheme      the scheme of the server's own connection when --url's differs (a gateway
                      speaking cleartext to the suite and TLS to the server): https
        capabilities: ${_wrap(CAPABILITIES, 70, '                      ')}
app     runs APP (a .js or .ts module whose default export, or export "app", is a TSGI
        application; APP:name picks another export) through a standard battery of requests
        under the lint, in memory and over node:http
links   "see ..." links point at the docs site (set TSGI_DOCS_URL to its address)
`;

const _OPTIONS = {
  url: { type: 'string' },
  mount: { type: 'string' },
  profile: { type: 'string' },
  without: { type: 'string', multiple: true },
  with: { type: 'string', multiple: true },
  stateless: { type: 'boolean' },
  scheme: { type: 'string' },
  only: { type: 'string', multiple: true },
  strict: { type: 'boolean' },
  json: { type: 'string' },
  junit: { type: 'string' },
  html: { type: 'string' },
  list: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Where the CLI writes (stdout by default). */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** `--list`: each case with its requirements, request, expectation, needs and profiles. */
function _list(cases: readonly ServerCase[], profile: TransportProfile): string {
  return cases
    .map((c) => {
      const lines = [
        `${c.id}  ${c.level}  ${c.requirements.join(' ')}`,
        `    ${c.request}`,
        `    expect: ${c.expect}`,
      ];
      if (c.needs !== undefined && c.needs.length > 0) {
        const missing = c.needs.filter((n) => !profile.capabilities.includes(n));
        lines.push(
          `    needs: ${c.needs.join(', ')}${missing.length > 0 ? ` (not in ${profile.name}: ${missing.join(', ')})` : ''}`,
        );
      }
      if (c.profiles !== undefined) lines.push(`    profile: ${c.profiles.join(', ')} only`);
      return `${lines.join('\n')}\n`;
    })
    .join('');
}

/** Runs the CLI; resolves to the exit status. */
export async function main(argv: readonly string[], out: Output = process.stdout): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof _OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: _OPTIONS, allowPositionals: true });
  } catch (err) {
    out.write(`${(err as Error).message}\n\n${_USAGE}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  const [command, target] = positionals;
  if (v.help === true || command === undefined) {
    out.write(_USAGE);
    return v.help === true ? 0 : 2;
  }
  const color = out.isTTY === true && process.env.NO_COLOR === undefined;
  const onResult = (r: SuiteReport['cases'][number]): void => {
    out.write(`${formatCase(r, color)}\n`);
  };
  let report: SuiteReport;
  if (command === 'server') {
    let profile: TransportProfile;
    try {
      profile = resolveProfile(v.profile ?? DEFAULT_PROFILE, {
        without: v.without,
        with: v.with,
        stateless: v.stateless === true,
      });
    } catch (err) {
      out.write(`server: ${(err as Error).message}\n`);
      return 2;
    }
    if (v.list === true) {
      out.write(_list(selectCases(v.only, CASES), profile));
      return 0;
    }
    if (v.url === undefined) {
      out.write(`server: --url is required\n\n${_USAGE}`);
      return 2;
    }
    if (v.scheme !== undefined && v.scheme !== 'http' && v.scheme !== 'https') {
      out.write(`server: --scheme must be http or https\n\n${_USAGE}`);
      return 2;
    }
    report = await runServerSuite({
      url: v.url,
      ...(v.scheme !== undefined ? { scheme: v.scheme } : {}),
      mount: v.mount ?? '',
      profile: v.profile ?? DEFAULT_PROFILE,
      without: v.without ?? [],
      with: v.with ?? [],
      stateless: v.stateless === true,
      only: v.only ?? [],
      strict: v.strict === true,
      onResult,
    });
    out.write(`\n${formatTarget(report)}`);
  } else if (command === 'app') {
    if (target === undefined) {
      out.write(`app: the application module is required\n\n${_USAGE}`);
      return 2;
    }
    const { loadApplication, runAppBattery } = await import('./app/battery.js');
    let app: Awaited<ReturnType<typeof loadApplication>>;
    try {
      app = await loadApplication(target);
    } catch (err) {
      // One line, not a stack (issue 24): the loader's messages name the file and the problem.
      out.write(`app: ${(err as Error).message.split('\n')[0]}\n`);
      return 2;
    }
    report = await runAppBattery(app, {
      only: v.only ?? [],
      strict: v.strict === true,
      onResult,
      name: target,
    });
  } else {
    out.write(`unknown command ${command}\n\n${_USAGE}`);
    return 2;
  }
  out.write(`\n${formatSummary(report)}\n`);
  writeReports(report, { json: v.json, junit: v.junit, html: v.html });
  return report.summary.ok ? 0 : 1;
}
