/** SR-06, SR-17: `upgrade` is the application's only on a 426 (RFC 9110 §15.5.22). */
import { type Application, ContractError, validateHeaders } from '@tsgi/core';
import { request } from '@tsgi/core/testing';
import { describe, expect, it } from 'vitest';

const headers = [
  ['upgrade', 'websocket'],
  ['content-type', 'text/plain'],
] as const;

describe('upgrade on 426 (SR-06, SR-17)', () => {
  it('SR-06: validateHeaders accepts upgrade only with status 426, in any letter case', () => {
    expect(validateHeaders(headers, 426)).toBe(-1);
    expect(validateHeaders([['Upgrade', 'h2c']], 426)).toBe(-1);
    for (const status of [undefined, 200, 101, 400, 103]) {
      expect(() => validateHeaders(headers, status)).toThrow(ContractError);
      expect(() => validateHeaders([['UPGRADE', 'x']], status)).toThrow(/^SR-06: /);
    }
  });

  it('SR-06: the other connection fields stay refused on 426', () => {
    expect(() => validateHeaders([['connection', 'upgrade']], 426)).toThrow(/^SR-06: /);
  });

  it('SR-06: startResponse passes a 426 with upgrade and refuses upgrade on a 200', async () => {
    const app =
      (status: '426 Upgrade Required' | '200 OK'): Application =>
      (_e, start) => {
        start(status, [...headers]);
        return [];
      };
    const ok = await request(app('426 Upgrade Required'));
    expect(ok.status).toBe(426);
    expect(ok.headers).toContainEqual(['upgrade', 'websocket']);
    expect((await request(app('200 OK'))).status).toBe(500);
  });
});
