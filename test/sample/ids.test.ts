import { describe, expect, it } from 'vitest';
import { androidId, hex48, permute48, salesforceId, salesforceId18, uuid } from '../../src/sample/ids.js';
import { Rng } from '../../src/sample/rng.js';
import { normalise } from '../../src/sample/shared-values.js';

describe('identifier formats', () => {
  it('permute48 is a bijection: distinct inputs never collide', () => {
    const seen = new Set<number>();
    for (let x = 0; x < 50_000; x++) seen.add(permute48(x, 42));
    for (let x = 2 ** 40; x < 2 ** 40 + 1000; x++) seen.add(permute48(x, 42));
    expect(seen.size).toBe(51_000);
    expect([...seen].every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 48)).toBe(true);
    expect(hex48(0xabcdef123456)).toBe('abcdef123456');
    expect(hex48(1)).toBe('000000000001');
  });

  it('writes Salesforce ids with the case-safe checksum suffix', () => {
    expect(salesforceId18('001A0000006Vm9r')).toBe('001A0000006Vm9rIAC');
    expect(salesforceId18('003000000000000')).toBe('003000000000000AAA');
    expect(salesforceId('003', 12345)).toMatch(/^003Dn0[0-9A-Za-z]{12}$/);
  });

  it('writes version-4 UUIDs and Android ids', () => {
    const rng = new Rng(1, 2);
    expect(uuid(rng)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuid(rng, true)).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
    expect(androidId(rng)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('Rng repeats for one (seed, stream, salt) and differs otherwise', () => {
    const draw = (seed: number, stream: number, salt = 0): number[] => {
      const r = new Rng(seed, stream, salt);
      return Array.from({ length: 5 }, () => r.u32());
    };
    expect(draw(1, 2)).toEqual(draw(1, 2));
    expect(draw(1, 2)).not.toEqual(draw(2, 2));
    expect(draw(1, 2)).not.toEqual(draw(1, 3));
    expect(draw(1, 2)).not.toEqual(draw(1, 2, 1));
    const r = new Rng(9, 9);
    const mean = Array.from({ length: 20_000 }, () => r.next()).reduce((a, b) => a + b, 0) / 20_000;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
  });

  it('normalises emails and phones as the truth table does', () => {
    expect(normalise('email', '  Jane.Doe@Example.COM ')).toBe('jane.doe@example.com');
    for (const phone of ['(415) 555-0100', '+1 415 555 0100', '415.555.0100', '4155550100', '+14155550100']) {
      expect(normalise('phone', phone)).toBe('+14155550100');
    }
    expect(normalise('user_id', ' u1 ')).toBe('u1');
  });
});
