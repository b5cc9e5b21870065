/** The shared argument helpers, in process. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseBind,
  parseCommandArgs,
  parseSize,
  splitAppSpec,
  UsageError,
  withConfig,
} from '@tsgi/cli';
import { afterAll, describe, expect, it } from 'vitest';

describe('parseBind', () => {
  it('accepts HOST:PORT, [IPV6]:PORT, :PORT, PORT, HOST and unix:PATH', () => {
    expect(parseBind('127.0.0.1:8000')).toEqual({ host: '127.0.0.1', port: 8000 });
    expect(parseBind('0.0.0.0:0')).toEqual({ host: '0.0.0.0', port: 0 });
    expect(parseBind('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    expect(parseBind(':9001')).toEqual({ host: '127.0.0.1', port: 9001 });
    expect(parseBind('9002')).toEqual({ host: '127.0.0.1', port: 9002 });
    expect(parseBind('localhost')).toEqual({ host: 'localhost', port: 8000 });
    expect(parseBind('unix:/run/app.sock')).toEqual({ path: '/run/app.sock' });
  });

  it('refuses malformed addresses with a UsageError', () => {
    for (const bad of ['::1:80', '[::1', '[::1]x', 'host:port', 'host:70000', 'unix:', 'host:']) {
      expect(() => parseBind(bad), bad).toThrow(UsageError);
    }
  });
});

describe('parseSize', () => {
  it('reads bytes and binary multiples', () => {
    expect([
      parseSize('x', '10'),
      parseSize('x', '512k'),
      parseSize('x', '10M'),
      parseSize('x', '1g'),
    ]).toEqual([10, 512 * 1024, 10 * 1024 ** 2, 1024 ** 3]);
    expect(() => parseSize('--max-body-size', '10 MB')).toThrow(/--max-body-size must be a size/);
  });
});

describe('splitAppSpec', () => {
  it('splits a trailing :exportName only', () => {
    expect(splitAppSpec('app.js:handler')).toEqual({ module: 'app.js', exportName: 'handler' });
    expect(splitAppSpec('@scope/pkg/sub:app')).toEqual({
      module: '@scope/pkg/sub',
      exportName: 'app',
    });
    expect(splitAppSpec('app.ts')).toEqual({ module: 'app.ts', exportName: undefined });
    expect(splitAppSpec('C:\\srv\\app.js')).toEqual({
      module: 'C:\\srv\\app.js',
      exportName: undefined,
    });
    expect(splitAppSpec('file:///srv/app.js')).toEqual({
      module: 'file:///srv/app.js',
      exportName: undefined,
    });
  });
});

describe('parseCommandArgs: mistakes explained (issue 23)', () => {
  const flags = {
    bind: { type: 'string', short: 'b' },
    workers: { type: 'string', short: 'w' },
    'max-conns': { type: 'string' },
    'shutdown-timeout': { type: 'string' },
  } as const;
  const message = (argv: string[]): string => {
    try {
      parseCommandArgs('serve', argv, flags);
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      return (err as Error).message;
    }
    return 'no error';
  };

  it('an option from gunicorn or uvicorn names the tsgi flag that does it', () => {
    expect(message(['app.js', '--port', '8000'])).toBe(
      "serve: unknown option --port; did you mean --bind 127.0.0.1:PORT? (see 'tsgi serve --help')",
    );
    expect(message(['--graceful-timeout', '5'])).toContain('did you mean --shutdown-timeout?');
  });

  it('a misspelt flag names the closest one; quotes stay balanced', () => {
    expect(message(['--max-con', '3'])).toContain(
      'unknown option --max-con; did you mean --max-conns?',
    );
    expect(message(['--zzzzzzzz'])).toBe(
      "serve: unknown option --zzzzzzzz (see 'tsgi serve --help')",
    );
  });

  it('a value starting with a dash is a missing value, not an "ambiguous" one', () => {
    expect(message(['--workers', '-1'])).toContain(
      "--workers needs a value, and a value cannot start with '-' (write --workers=VALUE",
    );
    expect(message(['--bind'])).toContain('--bind needs a value');
  });
});

describe('withConfig: tsgi.config.json (issue 23)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, value: unknown): void =>
    writeFileSync(join(dir, name), JSON.stringify(value));

  it('the file goes before the flags, so the command line wins; APP from "app"', () => {
    write('tsgi.config.json', {
      app: 'app.js',
      bind: '127.0.0.1:9000',
      workers: 2,
      'access-log': true,
      'expose-errors': false,
      fastcgi: { bind: 'unix:/run/app.sock' },
    });
    expect(withConfig('serve', ['--bind', ':8000'], dir)).toEqual([
      'app.js',
      '--bind',
      '127.0.0.1:9000',
      '--workers',
      '2',
      '--access-log',
      '--bind',
      ':8000',
    ]);
    // A command's own section overrides the top level; APP given on the line is kept.
    expect(withConfig('fastcgi', ['other.js'], dir)).toEqual([
      '--bind',
      'unix:/run/app.sock',
      '--workers',
      '2',
      '--access-log',
      'other.js',
    ]);
    expect(withConfig('cgi', ['x.js'], dir)).toEqual(['x.js']);
  });

  it('--config FILE names another file; mistakes are one-line usage errors', () => {
    write('prod.json', { bind: '0.0.0.0:80' });
    expect(withConfig('serve', ['app.js', '--config', 'prod.json'], dir)).toEqual([
      '--bind',
      '0.0.0.0:80',
      'app.js',
    ]);
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    expect(() => withConfig('serve', ['--config=bad.json'], dir)).toThrow(
      /bad\.json: not valid JSON/,
    );
    write('list.json', { workers: [1] });
    expect(() => withConfig('serve', ['--config', 'list.json'], dir)).toThrow(
      'list.json: "workers" must be a string, a number or a boolean',
    );
    expect(() => withConfig('serve', ['--config', 'missing.json'], dir)).toThrow(
      'cannot read missing.json: ENOENT',
    );
  });
});
