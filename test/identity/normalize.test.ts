import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../src/engines/dialects.js';
import { DEFAULT_BLOCKLIST, defaultNormalize, type IdentitySpec, type IdTypeSpec } from '../../src/identity/identity-spec.js';
import { blockedBySql, normalizeSql } from '../../src/identity/normalize-sql.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';

let w: DuckDBWarehouse;
beforeAll(async () => {
  w = await DuckDBWarehouse.open({ path: ':memory:' });
});
afterAll(async () => {
  await w.close();
});

const type = (normalize: IdTypeSpec['normalize'], countryCode = '1'): IdTypeSpec => ({ name: normalize, priority: 1, normalize, countryCode });

async function normalized(t: IdTypeSpec, raw: string | null): Promise<string | null> {
  const [row] = await w.query(`select ${normalizeSql(w.dialect, t, raw === null ? 'cast(null as varchar)' : w.dialect.stringLiteral(raw))} as v`);
  return row.v === null ? null : String(row.v);
}

describe('normalisation', () => {
  it('writes US phones in every common spelling as E.164', async () => {
    for (const raw of ['+12125550123', '(212) 555-0123', '+1 212 555 0123', '212.555.0123', '212-555-0123', '2125550123', '1-212-555-0123', '001 212 555 0123']) {
      expect(await normalized(type('phone'), raw), raw).toBe('+12125550123');
    }
  });

  it('uses the default country code for national numbers and drops a trunk zero', async () => {
    expect(await normalized(type('phone', '44'), '07700 900123')).toBe('+447700900123');
    expect(await normalized(type('phone', '44'), '447700900123')).toBe('+447700900123');
    expect(await normalized(type('phone', '44'), '+33 6 12 34 56 78')).toBe('+33612345678');
  });

  it('rejects phones that are too short or only zeros', async () => {
    for (const raw of ['n/a', '', '12345', '0000000000', '   ', null]) expect(await normalized(type('phone'), raw), String(raw)).toBeNull();
  });

  it('lower-cases and trims emails, trims ids, keeps `none` as written', async () => {
    expect(await normalized(type('email'), '  Jane.Doe@GMAIL.com ')).toBe('jane.doe@gmail.com');
    expect(await normalized(type('lower'), ' ABC ')).toBe('abc');
    expect(await normalized(type('trim'), ' AbC ')).toBe('AbC');
    expect(await normalized(type('none'), ' AbC ')).toBe(' AbC ');
    expect(await normalized(type('trim'), '   ')).toBeNull();
  });

  it('recognises emails and phones by type name', () => {
    expect(['email', 'work_email', 'phone', 'mobile_phone', 'user_id', 'anonymous_id'].map(defaultNormalize)).toEqual(['email', 'email', 'phone', 'phone', 'trim', 'trim']);
  });

  it('blocks placeholders per type with the built-in list, and compiles on every engine', async () => {
    const email = type('email');
    const phone = type('phone');
    const spec: IdentitySpec = {
      schema: 'cdp',
      types: [{ ...email, name: 'email' }, { ...phone, name: 'phone' }, { ...type('trim'), name: 'user_id' }],
      sources: [],
      blocklist: [...DEFAULT_BLOCKLIST, { kind: 'value', type: 'phone', value: '(555) 000-1234', label: 'qa phone' }],
      maxLinksPerValue: 50,
      maxProfileSize: 1000,
      failOnOversize: false,
      maxRounds: 60,
    };
    const blocked = async (t: string, v: string) => {
      const [row] = await w.query(`select ${blockedBySql(w.dialect, spec, w.dialect.stringLiteral(t), w.dialect.stringLiteral(v))} as b`);
      return row.b;
    };
    for (const [t, v] of [['email', 'null'], ['email', 'noreply@acme.io'], ['email', 'no-at-sign'], ['email', 'x@example.com'], ['user_id', '-1'], ['user_id', '0000'],
      ['user_id', '00000000-0000-0000-0000-000000000000'], ['user_id', 'Undefined'], ['phone', '+10000000000'], ['phone', '+15550001234'], ['user_id', '---']]) {
      expect(await blocked(t, v), `${t}:${v}`).not.toBeNull();
    }
    for (const [t, v] of [['email', 'ann@x.com'], ['user_id', 'u-1'], ['user_id', '10'], ['phone', '+12125550123']]) expect(await blocked(t, v), `${t}:${v}`).toBeNull();
    for (const d of Object.values(dialects)) expect(blockedBySql(d, spec, 'id_type', 'id_value')).toMatch(/^case when /);
  });
});
