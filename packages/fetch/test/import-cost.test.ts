/**
 * Importing @tsgi/fetch must not load undici: in Node, Request/Response/Headers are lazy globals,
 * and a CGI process (tsgi.run_once) serving a TSGI-native app should never pay for them. The cost
 * on first use is measured by bench/fetch-startup.mjs, not here (no timing in unit tests).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const dist = new URL('../dist/index.js', import.meta.url).href;

function undiciLoaded(code: string): boolean {
  const out = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `${code}\nprocess.stdout.write(String(process.moduleLoadList.some((m) => m.includes('undici'))));`,
    ],
    { encoding: 'utf8' },
  );
  return out === 'true';
}

describe('@tsgi/fetch import cost', () => {
  it('importing the package loads no undici', () => {
    expect(undiciLoaded(`await import(${JSON.stringify(dist)});`)).toBe(false);
  });

  it('the first Request does (which is what the benchmark measures)', () => {
    expect(undiciLoaded(`new Request('http://localhost/');`)).toBe(true);
  });
});
