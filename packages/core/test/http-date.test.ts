import { httpDate } from '@tsgi/core';
import { describe, expect, it } from 'vitest';

describe('httpDate', () => {
  it('is an IMF-fixdate of now (RFC 9110 §5.6.7), the same string within a second', () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const a = httpDate();
    const b = httpDate();
    expect(a).toMatch(
      /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/,
    );
    expect(Date.parse(a)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(a)).toBeLessThanOrEqual(Date.now());
    if (Math.floor(Date.parse(b) / 1000) === Math.floor(Date.parse(a) / 1000)) expect(b).toBe(a);
  });
});
