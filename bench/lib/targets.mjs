// The bar the project set (issue 8), evaluated on one run's rows. Each target:
// { id, target, value, bar, holds } where holds is true, false, or null (not measured).
import { median, round } from './stats.mjs';

const find = (rows, group, scenario, subject) =>
  rows.find((r) => r.group === group && r.scenario.startsWith(scenario) && r.subject === subject);

function ratio(a, b, key = 'rps') {
  return a?.[key] && b?.[key] ? a[key] / b[key] : null;
}

/**
 * `cpuValue`: the same comparison made with CPU time per request (baseline CPU / subject CPU).
 * `pairedValue`: the median over rounds of the two subjects' req/s ratio within each round.
 */
function target(id, text, value, bar, test, cpuValue = null, pairedValue = null) {
  return {
    id,
    target: text,
    value: round(value, 3),
    bar,
    holds: value === null ? null : test(value),
    cpu_value: round(cpuValue, 3),
    holds_by_cpu: cpuValue === null ? null : test(cpuValue),
    paired_value: round(pairedValue, 3),
    holds_paired: pairedValue === null ? null : test(pairedValue),
  };
}

/**
 * The median of a's req/s over b's, round by round (`rps_rounds`). Within a round the two were
 * measured seconds apart, so a slow phase of the machine that spans a few rounds moves this
 * less than it moves the ratio of the two medians.
 */
export function pairedRatio(a, b) {
  const ratios = roundRatios(a?.rps_rounds, b?.rps_rounds);
  return ratios === null ? null : median(ratios);
}

/** `x[i] / y[i]` for every round i, or null unless both are lists of the same, non-zero length. */
export function roundRatios(x, y) {
  if (!Array.isArray(x) || !Array.isArray(y) || x.length === 0 || x.length !== y.length)
    return null;
  return x.map((v, i) => v / y[i]);
}

/** How many times less CPU per request `a` needs than `b` (a throughput-like ratio). */
export function cpuRatio(a, b) {
  return a?.cpu_us_per_req && b?.cpu_us_per_req ? b.cpu_us_per_req / a.cpu_us_per_req : null;
}

export function evaluateTargets(rows) {
  const node = (sub, sc = 'hello world') => find(rows, 'node:http', sc, sub);
  const fcgi = (sub, sc) => find(rows, 'FastCGI (nginx)', sc, sub);
  const cgi = (sub) => find(rows, 'CGI', 'direct spawn', sub);
  const mem = (sc, sub) => find(rows, 'memory', sc, sub);
  const tsgiNode = node('TSGI @tsgi/node');
  const list = [
    target(
      'node-vs-raw',
      '@tsgi/node ≥ 0.95 × raw node:http req/s, hello world',
      ratio(tsgiNode, node('node:http (raw)')),
      '≥ 0.95',
      (v) => v >= 0.95,
      cpuRatio(tsgiNode, node('node:http (raw)')),
      pairedRatio(tsgiNode, node('node:http (raw)')),
    ),
    // The same bar against raw node:http ending with a string (one write with the head), which
    // is faster than ending with the Uint8Array every subject above sends.
    target(
      'node-vs-raw-string',
      '@tsgi/node ≥ 0.95 × raw node:http with a string body, hello world',
      ratio(tsgiNode, node('node:http (raw, string body)')),
      '≥ 0.95',
      (v) => v >= 0.95,
      cpuRatio(tsgiNode, node('node:http (raw, string body)')),
      pairedRatio(tsgiNode, node('node:http (raw, string body)')),
    ),
    target(
      'node-vs-srvx',
      '@tsgi/node ahead of srvx, hello world',
      ratio(tsgiNode, node('srvx')),
      '> 1',
      (v) => v > 1,
      cpuRatio(tsgiNode, node('srvx')),
      pairedRatio(tsgiNode, node('srvx')),
    ),
    target(
      'node-vs-hono',
      '@tsgi/node ahead of @hono/node-server, hello world',
      ratio(tsgiNode, node('@hono/node-server')),
      '> 1',
      (v) => v > 1,
      cpuRatio(tsgiNode, node('@hono/node-server')),
      pairedRatio(tsgiNode, node('@hono/node-server')),
    ),
    target(
      'fastcgi-vs-php-fpm',
      '@tsgi/fastcgi ≥ php-fpm req/s, hello world (1 conn)',
      ratio(
        fcgi('TSGI @tsgi/fastcgi', 'hello world, 1'),
        fcgi('php-fpm (1 child)', 'hello world, 1'),
      ),
      '≥ 1',
      (v) => v >= 1,
      cpuRatio(
        fcgi('TSGI @tsgi/fastcgi', 'hello world, 1'),
        fcgi('php-fpm (1 child)', 'hello world, 1'),
      ),
      pairedRatio(
        fcgi('TSGI @tsgi/fastcgi', 'hello world, 1'),
        fcgi('php-fpm (1 child)', 'hello world, 1'),
      ),
    ),
    target(
      'fastcgi-vs-node-fastcgi',
      '@tsgi/fastcgi ≥ 1.5 × node-fastcgi req/s, hello world (1 conn)',
      ratio(fcgi('TSGI @tsgi/fastcgi', 'hello world, 1'), fcgi('node-fastcgi', 'hello world, 1')),
      '≥ 1.5',
      (v) => v >= 1.5,
      cpuRatio(
        fcgi('TSGI @tsgi/fastcgi', 'hello world, 1'),
        fcgi('node-fastcgi', 'hello world, 1'),
      ),
      pairedRatio(
        fcgi('TSGI @tsgi/fastcgi', 'hello world, 1'),
        fcgi('node-fastcgi', 'hello world, 1'),
      ),
    ),
  ];
  const t32 = fcgi('TSGI @tsgi/fastcgi', 'hello world, 32');
  const n32 = fcgi('node-fastcgi', 'hello world, 32');
  if (ratio(t32, n32) !== null) {
    list.push(
      target(
        'fastcgi-vs-node-fastcgi-32',
        '@tsgi/fastcgi ≥ 1.5 × node-fastcgi req/s, hello world (32 conns)',
        ratio(t32, n32),
        '≥ 1.5',
        (v) => v >= 1.5,
        cpuRatio(t32, n32),
        pairedRatio(t32, n32),
      ),
    );
  }
  list.push(
    target(
      'cgi-vs-bare-node',
      'TSGI CGI (runCGIModule script) ≤ 1.10 × bare node script, ms per request',
      ratio(cgi('TSGI runCGIModule'), cgi('bare node script'), 'ms'),
      '≤ 1.10',
      (v) => v <= 1.1,
    ),
  );
  for (const [id, sub] of [
    ['cgi-cli-vs-bare-node', 'TSGI tsgi cgi (sh wrapper)'],
    ['cgi-bundle-vs-bare-node', 'TSGI tsgi cgi --bundle'],
  ]) {
    const v = ratio(cgi(sub), cgi('bare node script'), 'ms');
    if (v !== null)
      list.push(target(id, `${sub} ≤ 1.10 × bare node script`, v, '≤ 1.10', (x) => x <= 1.1));
  }
  // A CommonJS APP against the bare CommonJS script (neither starts Node's ESM loader).
  const cjs = ratio(
    cgi('TSGI tsgi cgi app.cjs (sh wrapper)'),
    cgi('bare node script, CommonJS'),
    'ms',
  );
  if (cjs !== null) {
    list.push(
      target(
        'cgi-cli-cjs-vs-bare-cjs',
        'TSGI tsgi cgi app.cjs (sh wrapper) ≤ 1.10 × bare CommonJS node script',
        cjs,
        '≤ 1.10',
        (x) => x <= 1.1,
      ),
    );
  }
  const stream = mem('stream', 'TSGI @tsgi/node');
  list.push(
    target(
      'stream-rss-growth',
      `${stream?.scenario ?? 'stream 1 GiB to a slow client'}: peak RSS growth, MiB`,
      stream?.rss_growth_mb ?? null,
      '< 64',
      (v) => v < 64,
    ),
  );
  // "No growth trend": TSGI's RSS growth per 10k requests (the median over the ten tenths, which
  // a step or two of V8 growing its heap does not move; Theil–Sen did when the step fell mid-run)
  // is within 0.25 MiB of raw node:http's (which grows a little by itself as V8 sizes its heaps),
  // and the live heap after a full GC does not grow (< 1 MiB per 100k requests).
  const trend = mem('RSS over', 'TSGI @tsgi/node');
  const rawTrend = mem('RSS over', 'node:http (raw)');
  const robust = (r) =>
    r?.step_median_mb_per_10k ?? r?.theil_sen_mb_per_10k ?? r?.slope_mb_per_10k ?? null;
  const allowance = Math.max(0, robust(rawTrend) ?? 0) + 0.25;
  list.push(
    target(
      'requests-rss-trend',
      `${trend?.scenario ?? 'RSS over 100k requests'}: RSS growth (median step), MiB per 10k requests`,
      robust(trend),
      `≤ ${round(allowance, 3)} (raw node:http's + 0.25)`,
      (v) => v <= allowance,
    ),
  );
  const heapPer100k =
    trend?.heap_growth_mb !== undefined && trend.requests
      ? (trend.heap_growth_mb * 100_000) / trend.requests
      : null;
  list.push(
    target(
      'requests-heap-growth',
      `${trend?.scenario ?? 'RSS over 100k requests'}: live heap growth after GC, MiB per 100k requests`,
      heapPer100k,
      '< 1',
      (v) => v < 1,
    ),
  );
  return list;
}
