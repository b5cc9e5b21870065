/**
 * The README's sample application is a file the repository runs (issue 24): the block under "An
 * application" is examples/hello/greet.ts byte for byte, and it answers as the README says.
 */
import { readFileSync } from 'node:fs';
import { request } from '@tsgi/core/testing';
import { describe, expect, it } from 'vitest';
import greet from '../greet.js';

const ROOT = new URL('../../../', import.meta.url);

describe("the README's sample application", () => {
  it('is examples/hello/greet.ts, byte for byte', () => {
    const readme = readFileSync(new URL('README.md', ROOT), 'utf8');
    const block =
      /## An application\n\n`examples\/hello\/greet\.ts`:\n\n```ts\n([\s\S]*?)```\n/.exec(readme);
    expect(block?.[1]).toBe(readFileSync(new URL('examples/hello/greet.ts', ROOT), 'utf8'));
  });

  it('answers "Hello, you! You asked for /there", as the README\'s curl line says', async () => {
    const res = await request(greet, { path: '/there?name=you' });
    expect([res.status, res.text()]).toEqual([200, 'Hello, you! You asked for /there\n']);
    expect((await request(greet)).text()).toBe('Hello, world! You asked for /\n');
  });
});
