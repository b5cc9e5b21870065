/** The one export rule (issue 17): default, else `app`, else an error listing the exports. */
import {
  AppLoadError,
  describeExports,
  fetchHandlerOf,
  loadFailure,
  pickApplication,
  splitAppSpec,
} from '@tsgi/server-node/app-export';
import { describe, expect, it } from 'vitest';

const a = (): never[] => [];
const b = (): never[] => [];

describe('pickApplication', () => {
  it('APP-01: takes the default export when it is a function, even with an `app` export', () => {
    expect(pickApplication({ default: a, app: b }, 'm.js')).toBe(a);
  });

  it('APP-01: takes the export `app` when the default export is missing or not a function', () => {
    expect(pickApplication({ app: b }, 'm.js')).toBe(b);
    expect(pickApplication({ default: { config: 1 }, app: b }, 'm.js')).toBe(b);
  });

  it('CommonJS: module.exports is the default export; its properties are named exports', () => {
    // TypeScript compiled to CommonJS: `exports.default = app`.
    expect(pickApplication({ default: { default: a } }, 'm.cjs')).toBe(a);
    // `exports.app = app`, when Node did not detect the named export.
    expect(pickApplication({ default: { app: b } }, 'm.cjs')).toBe(b);
    expect(pickApplication({ default: { app: b } }, 'm.cjs', 'app')).toBe(b);
  });

  it('module:name picks that export, and it must be a function', () => {
    expect(pickApplication({ default: a, other: b }, 'm.js', 'other')).toBe(b);
    expect(() => pickApplication({ n: 42 }, 'm.js', 'n')).toThrow(
      "m.js: export 'n' is not a function (got number); an application is (environ, startResponse) => body",
    );
  });

  it('a missing export is an AppLoadError listing what the module exports', () => {
    const ns = { default: { x: 1 }, handler: 'text', list: [1] };
    expect(() => pickApplication(ns, 'm.js', 'nope')).toThrow(
      "m.js has no export 'nope'; it exports default (object), handler (string), list (array)",
    );
    let err: unknown;
    try {
      pickApplication(ns, 'm.js');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppLoadError);
    expect((err as Error).message).toBe(
      "m.js exports no application: neither its default export nor an export named 'app' is a function; it exports default (object), handler (string), list (array) (name one with m.js:<export>)",
    );
    expect(() => pickApplication({}, 'empty.js')).toThrow(/it exports nothing/);
  });

  it('a fetch handler (`export default { fetch }`) is named as such, with how to serve it (issue 23)', () => {
    const handler = { fetch: () => new Response('x') };
    expect(fetchHandlerOf({ default: handler }, undefined)).toBe(handler);
    expect(fetchHandlerOf({ api: handler }, 'api')).toBe(handler);
    expect(fetchHandlerOf({ default: { x: 1 } }, undefined)).toBeUndefined();
    expect(() => pickApplication({ default: handler }, 'w.js')).toThrow(
      'w.js: its default export is a fetch handler ({ fetch }), not a TSGI application; wrap it with fromFetch from @tsgi/fetch, or serve it with the tsgi command, which does',
    );
  });

  it('describeExports lists at most 20 names', () => {
    const ns = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`e${i}`, i]));
    expect(describeExports(ns)).toMatch(/^e0 \(number\), .*e19 \(number\), \.\.\.$/);
  });
});

describe('splitAppSpec', () => {
  it('splits only a trailing identifier after the last colon', () => {
    expect(splitAppSpec('app.js:named')).toEqual({ module: 'app.js', exportName: 'named' });
    expect(splitAppSpec('@scope/pkg/sub:app')).toEqual({
      module: '@scope/pkg/sub',
      exportName: 'app',
    });
    expect(splitAppSpec('app.js')).toEqual({ module: 'app.js', exportName: undefined });
    expect(splitAppSpec('C:\\srv\\app.js')).toEqual({
      module: 'C:\\srv\\app.js',
      exportName: undefined,
    });
    expect(splitAppSpec('file:///srv/app.js')).toEqual({
      module: 'file:///srv/app.js',
      exportName: undefined,
    });
    expect(splitAppSpec('file:///srv/app.js:app')).toEqual({
      module: 'file:///srv/app.js',
      exportName: 'app',
    });
  });
});

describe('loadFailure', () => {
  it('is one line naming the module and the error; the error stays as the cause', () => {
    const cause = new SyntaxError('Unexpected token\n  at line 3');
    const err = loadFailure('bad.js', cause);
    expect(err).toBeInstanceOf(AppLoadError);
    expect(err.message).toBe('cannot load bad.js: SyntaxError: Unexpected token');
    expect(err.cause).toBe(cause);
    expect(loadFailure('x.js', err)).toBe(err);
  });
});
