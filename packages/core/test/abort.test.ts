import { ClientDisconnectError, defineLazySignal, RequestAbort, runApplication } from '@tsgi/core';
import { describe, expect, it } from 'vitest';
import { testEnviron } from './_helpers.js';

describe('lazy tsgi.signal (RequestAbort; ENV-01, ENV-24)', () => {
  it('ENV-24: an abort before first access gives an already-aborted signal with the reason', () => {
    const abort = new RequestAbort();
    const env = testEnviron({ signal: abort });
    abort.abort();
    expect(env['tsgi.signal']).toBeInstanceOf(AbortSignal);
    expect(env['tsgi.signal'].aborted).toBe(true);
    expect(env['tsgi.signal'].reason).toBeInstanceOf(ClientDisconnectError);
  });

  it('ENV-24: a signal read first is aborted later, once, and is the same object every time', () => {
    const abort = new RequestAbort();
    const env = testEnviron({ signal: abort });
    const s = env['tsgi.signal'];
    let fired = 0;
    s.addEventListener('abort', () => fired++);
    abort.abort();
    abort.abort();
    expect(fired).toBe(1);
    expect(env['tsgi.signal']).toBe(s);
  });

  it('ENV-01: environ stays a plain, mutable object; spread copies carry the signal (MW-08)', () => {
    const abort = new RequestAbort();
    const env = testEnviron({ signal: abort });
    expect(Object.getPrototypeOf(env)).toBe(Object.prototype);
    expect(Object.keys(env)).toContain('tsgi.signal');
    const copy = { ...env };
    expect(copy['tsgi.signal']).toBe(env['tsgi.signal']);
    const mine = new AbortController().signal;
    env['tsgi.signal'] = mine;
    expect(env['tsgi.signal']).toBe(mine);
    // ENV-24: the lazy signal is an AbortSignal when read; the lint's whole environ check of
    // it is conformance/test/lint-core-environ.test.ts.
    expect(testEnviron({ signal: new RequestAbort() })['tsgi.signal']).toBeInstanceOf(AbortSignal);
  });

  it('the engine never creates the signal for a sync body when the sink reports aborted state', async () => {
    const abort = new RequestAbort();
    const env = testEnviron({ signal: abort });
    let created = false;
    const desc = Object.getOwnPropertyDescriptor(env, 'tsgi.signal')!;
    Object.defineProperty(env, 'tsgi.signal', {
      ...desc,
      get() {
        created = true;
        return desc.get!.call(env);
      },
    });
    await runApplication(
      (_e, start) => {
        start('200 OK', []);
        return [new Uint8Array([1])];
      },
      env,
      {
        head() {},
        write() {},
        end() {},
        abort() {},
        get aborted() {
          return abort.aborted;
        },
      },
    );
    expect(created).toBe(false);
  });
});

describe('lazy tsgi.signal keeps environ keys strings (ENV-02)', () => {
  it('adds no symbol or hidden key to environ', () => {
    const env = testEnviron({ signal: new RequestAbort() });
    expect(Reflect.ownKeys(env).every((k) => typeof k === 'string')).toBe(true);
  });
});

describe('lazy tsgi.signal binding (defineLazySignal)', () => {
  it('binding again replaces the state instead of throwing', () => {
    const env = testEnviron({ signal: new RequestAbort() });
    const second = new RequestAbort();
    defineLazySignal(env, second);
    second.abort();
    expect(env['tsgi.signal'].aborted).toBe(true);
  });

  it('an object inheriting from environ reads a signal that never aborts, not a TypeError', () => {
    const abort = new RequestAbort();
    const env = testEnviron({ signal: abort });
    const child = Object.create(env) as typeof env;
    expect(child['tsgi.signal']).toBeInstanceOf(AbortSignal);
    expect(child['tsgi.signal'].aborted).toBe(false);
  });

  it('JSON and structured views of environ show no trace of the binding', () => {
    const env = testEnviron({ signal: new RequestAbort() });
    expect(Object.getOwnPropertyNames(env)).toEqual(Object.keys(env));
    expect(Object.getOwnPropertySymbols(env)).toEqual([]);
  });
});
