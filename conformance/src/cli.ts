/**
 * `tsgi-conformance`: the command line.
 *
 *   tsgi-conformance server --url URL [--mount PREFIX] [--profile node|fastcgi|cgi]
 *                           [--only ID-PREFIX]... [--strict] [--json FILE] [--junit FILE]
 *                           [--html FILE] [--list]
 *   tsgi-conformance app APP [--only ID-PREFIX]... [--strict] [--json FILE] [--junit FILE]
 *                            [--html FILE]
 *
 * Exit status 0 when every MUST case passes (with --strict, every SHOULD case too), 1 when one
 * fails, 2 on a usage error.
 */
import { parseArgs } from 'node:util';
import { formatCase, formatSummary, writeReports } from './report/index.js';
import { CASES } from './server/cases/index.js';
import { runServerSuite, type SuiteReport, selectCases } from './server/runner.js';

const _USAGE = `usage:
  tsgi-conformance server --url URL [--mount PREFIX] [--profile node|fastcgi|cgi]
                          [--only ID-PREFIX]... [--strict] [--json FILE] [--junit FILE]
                          [--html FILE] [--list]
  tsgi-conformance app APP [--only ID-PREFIX]... [--strict] [--json FILE] [--junit FILE]
                           [--html FILE]

server  runs the server suite against a server hosting @tsgi/conformance/probe
        (e.g. tsgi serve @tsgi/conformance/probe); --only takes a case ID or requirement
        prefix (environ/, SR-, BODY-05) and may be repeated
app     runs APP (a module whose default export, or export "app", is a TSGI application)
        through a standard battery of requests under the lint, in memory and over node:http
`;

const _OPTIONS = {
  url: { type: 'string' },
  mount: { type: 'string' },
  profile: { type: 'string' },
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
    if (v.list === true) {
      for (const c of selectCases(v.only, CASES))
        out.write(
          `${c.id}  ${c.level}  ${c.requirements.join(' ')}\n    ${c.request}\n    expect: ${c.expect}\n`,
        );
      return 0;
    }
    if (v.url === undefined) {
      out.write(`server: --url is required\n\n${_USAGE}`);
      return 2;
    }
    report = await runServerSuite({
      url: v.url,
      mount: v.mount ?? '',
      profile: v.profile ?? 'node',
      only: v.only ?? [],
      strict: v.strict === true,
      onResult,
    });
  } else if (command === 'app') {
    if (target === undefined) {
      out.write(`app: the application module is required\n\n${_USAGE}`);
      return 2;
    }
    const { loadApplication, runAppBattery } = await import('./app/battery.js');
    report = await runAppBattery(await loadApplication(target), {
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
