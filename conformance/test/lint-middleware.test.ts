/** Middleware checks between nested lint layers (MW-02, MW-03, MW-04, MW-08), and the ID list. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Application, mount, type ResponseBody } from '@tsgi/core';
import { request } from '@tsgi/core/testing';
import { describe, expect, it } from 'vitest';
import { LINT_REQUIREMENTS, lint, type Violation } from '../src/lint/index.js';
import { te } from './_lint-helpers.js';

type Middleware = (app: Application) => Application;

const inner: Application = (_e, start) => {
  start('200 OK', [['content-type', 'text/plain']]);
  return {
    async *[Symbol.asyncIterator]() {
      yield te.encode('a');
      yield te.encode('b');
      yield te.encode('c');
    },
    close() {},
  };
};

/** lint(middleware(lint(inner))), collecting the violations of both layers. */
async function sandwich(mw: Middleware): Promise<Violation[]> {
  const violations: Violation[] = [];
  const onViolation = (v: Violation): void => {
    violations.push(v);
  };
  await request(lint(mw(lint(inner, { onViolation })), { onViolation }));
  await new Promise((r) => setTimeout(r, 150)); // MW-04 is checked after a grace period
  return violations;
}
const errorIds = (vs: Violation[]): string[] =>
  vs.filter((v) => v.severity === 'error').map((v) => v.requirement);

const passThrough: Middleware = (app) => async (env, start) => {
  const body = (await app({ ...env, 'x.seen': true }, start)) as AsyncIterable<Uint8Array> & {
    close(): void;
  };
  return {
    async *[Symbol.asyncIterator]() {
      for await (const c of body) yield c;
    },
    close: () => body.close(), // MW-04: the completion hook reaches the original
  };
};

describe('lint: middleware between two lint layers', () => {
  it('a pass-through middleware and core mount() are clean', async () => {
    expect(await sandwich(passThrough)).toEqual([]);
    expect(await sandwich((app) => mount('', app))).toEqual([]);
  });

  it('MW-02: a middleware that gathers chunks before yielding', async () => {
    const gather: Middleware = (app) => async (env, start) => {
      const body = (await app(env, start)) as AsyncIterable<Uint8Array> & { close(): void };
      return {
        async *[Symbol.asyncIterator]() {
          const all: Uint8Array[] = [];
          for await (const c of body) all.push(c);
          yield te.encode(all.map((c) => new TextDecoder().decode(c)).join(''));
        },
        close: () => body.close(),
      };
    };
    expect(errorIds(await sandwich(gather))).toContain('MW-02');
  });

  it('MW-03: a middleware that consumes the inner body before returning its own', async () => {
    const buffer: Middleware = (app) => async (env, start) => {
      const body = (await app(env, start)) as AsyncIterable<Uint8Array> & { close(): void };
      const all: Uint8Array[] = [];
      for await (const c of body) all.push(c);
      body.close();
      return all;
    };
    expect(errorIds(await sandwich(buffer))).toContain('MW-03');
  });

  it('MW-04: a replacement body that never calls the original close()', async () => {
    const leaky: Middleware = (app) => async (env, start) => {
      const body = (await app(env, start)) as AsyncIterable<Uint8Array>;
      return (async function* () {
        for await (const c of body) yield c;
      })() as ResponseBody;
    };
    expect(errorIds(await sandwich(leaky))).toEqual(['MW-04']);
  });

  it('MW-08: a middleware that rebuilds environ and drops unknown keys', async () => {
    const rebuild: Middleware = (app) => (env, start) => {
      const { [Object.keys(env).find((k) => k.startsWith('conformance.'))!]: _, ...rest } = env;
      return app(rest as typeof env, start);
    };
    expect(errorIds(await sandwich(rebuild))).toContain('MW-08');
  });
});

describe('lint: traceability of its own checks', () => {
  it('CONF-06: LINT_REQUIREMENTS lists exactly the IDs the lint reports', () => {
    const dir = join(import.meta.dirname, '../src/lint');
    const reported = new Set<string>();
    for (const f of readdirSync(dir)) {
      if (f === 'requirements.ts') continue;
      const src = readFileSync(join(dir, f), 'utf8');
      for (const m of src.matchAll(/'([A-Z]+-\d{2})'/g)) reported.add(m[1]!);
    }
    // SR-02..06 come from @tsgi/core's validators, whose ContractErrors the lint re-reports.
    for (const id of ['SR-02', 'SR-03', 'SR-04', 'SR-05', 'SR-06', 'SR-15']) reported.add(id);
    expect([...reported].sort()).toEqual(Object.keys(LINT_REQUIREMENTS).sort());
  });
});

describe('lint: more middleware and extension rules', () => {
  it('MW-05: a middleware that changes the body but keeps content-length', async () => {
    const upper: Middleware = (app) => async (env, start) => {
      const body = (await app(env, start)) as AsyncIterable<Uint8Array> & { close(): void };
      return {
        async *[Symbol.asyncIterator]() {
          for await (const c of body) yield te.encode(`${new TextDecoder().decode(c)}!`);
        },
        close: () => body.close(),
      };
    };
    const violations: Violation[] = [];
    const onViolation = (v: Violation): void => {
      violations.push(v);
    };
    const sized: Application = (_e, start) => {
      start('200 OK', [
        ['content-type', 'text/plain'],
        ['content-length', '2'],
      ]);
      return (async function* () {
        yield te.encode('ab');
      })();
    };
    await request(lint(upper(lint(sized, { onViolation })), { onViolation }));
    expect(errorIds(violations)).toContain('MW-05');
  });

  it('MW-07: a middleware that passes inner chunks to its own write()', async () => {
    const viaWrite: Middleware = (app) => async (env, start) => {
      let write: ((c: Uint8Array) => Promise<void>) | undefined;
      const body = (await app(env, (s, h) => {
        write = start(s, h);
        return write;
      })) as AsyncIterable<Uint8Array> & { close(): void };
      for await (const c of body) await write?.(c);
      body.close();
      return [];
    };
    expect(errorIds(await sandwich(viaWrite))).toContain('MW-07');
  });
});
