import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FREE_MAIL_DOMAINS, freeMailDomains } from '../../src/account/free-mail-domains.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { normalizeSql } from '../../src/identity/normalize-sql.js';

/** `normalize: domain` as the warehouse computes it (docs/accounts.md#account-identity). */
let w: DuckDBWarehouse;
beforeAll(async () => {
  w = await DuckDBWarehouse.open({ path: ':memory:' });
});
afterAll(() => w.close());

const normalise = async (raw: string | null): Promise<unknown> => {
  const d = w.dialect;
  const [row] = await w.query(`select ${normalizeSql(d, { normalize: 'domain', countryCode: '1' }, raw === null ? 'null' : d.stringLiteral(raw))} as v`);
  return row.v;
};

describe('domain normalisation', () => {
  it.each([
    ['acme.com', 'acme.com'],
    ['Acme.COM', 'acme.com'],
    ['https://www.Acme.com/pricing?x=1', 'acme.com'],
    ['http://acme.com:8080/about#team', 'acme.com'],
    ['WWW.ACME.COM', 'acme.com'],
    ['  www.acme.com.  ', 'acme.com'],
    ['ftp://user:pw@files.acme.com/', 'files.acme.com'],
    ['jane.doe@Acme.com', 'acme.com'],
    ['sub.www.acme.com', 'sub.www.acme.com'],
  ])('%s -> %s', async (raw, want) => {
    expect(await normalise(raw)).toBe(want);
  });

  it('gives NULL for nothing usable', async () => {
    expect(await normalise('   ')).toBeNull();
    expect(await normalise('https://')).toBeNull();
    expect(await normalise(null)).toBeNull();
  });
});

describe('free-mail domains', () => {
  it('has the common providers built in, and adds the project\'s own, normalised', () => {
    for (const d of ['gmail.com', 'outlook.com', 'hotmail.com', 'yahoo.com', 'icloud.com', 'proton.me']) expect(FREE_MAIL_DOMAINS).toContain(d);
    const list = freeMailDomains([' WWW.Mail.Example-ISP.net ', 'gmail.com']);
    expect(list).toContain('mail.example-isp.net');
    expect(list.filter((d) => d === 'gmail.com')).toHaveLength(1);
  });
});
