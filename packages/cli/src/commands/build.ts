/**
 * `tsgi build APP -o FILE`: APP (TypeScript or JavaScript) and what it imports as one ES module
 * of plain JavaScript, for production: `tsgi serve FILE`, `tsgi fastcgi FILE` and `tsgi cgi FILE`
 * then load it without tsx (issue 23: a `.ts` app under CGI paid ~150 ms of TypeScript loading per
 * request against ~33 ms for `.js`). Its exports are APP's, so the export rule finds the same
 * application. Needs esbuild, as `tsgi cgi --bundle` does.
 */
import { statSync } from 'node:fs';
import { resolveAppModule } from '../_app.js';
import { parseCommandArgs, UsageError } from '../_args.js';

export const summary = 'bundle APP (TypeScript or JavaScript) into one .mjs for production';

export const usage = `Usage: tsgi build APP -o FILE [--minify] [--external-packages]

Bundle APP and everything it imports into one ES module of plain JavaScript, FILE (.mjs), with
APP's exports: serve it with 'tsgi serve FILE', 'tsgi fastcgi FILE' or 'tsgi cgi FILE', with no
TypeScript loader at start-up (under CGI that is every request). Needs esbuild
(npm install -D esbuild).

Options:
  -o, --outfile FILE     where to write the module (.mjs)
      --minify           minify it
      --external-packages  leave node_modules packages as imports instead of bundling them
  -h, --help             show this help

For CGI, 'tsgi cgi --bundle APP -o FILE' writes a file that runs the request by itself and
starts faster still.
`;

interface _Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('build', argv, {
    outfile: { type: 'string', short: 'o' },
    minify: { type: 'boolean' },
    'external-packages': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) {
    process.stdout.write(usage);
    return 0;
  }
  const [spec, ...extra] = positionals;
  if (spec === undefined) throw new UsageError("build: missing APP (see 'tsgi build --help')");
  if (extra.length > 0) throw new UsageError(`build: unexpected argument '${extra[0]}'`);
  const outfile = values.outfile;
  if (outfile === undefined) throw new UsageError('build: -o FILE is required');
  const entry = resolveAppModule(spec, process.cwd());
  let esbuild: _Esbuild;
  try {
    esbuild = (await import('esbuild' as string)) as _Esbuild;
  } catch {
    throw new UsageError('build needs esbuild: npm install -D esbuild');
  }
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: values.minify === true,
    packages: values['external-packages'] === true ? 'external' : undefined,
    // A bundled CommonJS dependency calls require(): give the ES module one.
    banner: {
      js: "import { createRequire as __tsgiCreateRequire } from 'node:module';\nconst require = __tsgiCreateRequire(import.meta.url);",
    },
    legalComments: 'none',
    logLevel: 'error',
  });
  process.stdout.write(`tsgi build: wrote ${outfile} (${statSync(outfile).size} bytes)\n`);
  return 0;
}
