/**
 * One scrubber for every secret cdp knows (docs/guarantees.md): the destinations' tokens and
 * passwords, the warehouses' passwords and keys, URL passwords, and anything shaped like a token.
 */
import { describe, expect, it } from 'vitest';
import { secretScrubber } from '../../src/diagnostics/secret-scrubber.js';
import { snowflakeFailure } from '../../src/engines/snowflake/failure.js';
import type { SnowflakeConfig } from '../../src/engines/snowflake/options.js';

describe('secretScrubber', () => {
  it('replaces the given secrets (4+ characters), longest first, and leaves shorter strings alone', () => {
    const scrub = secretScrubber(['hunter22', 'hunter2', 'abc', undefined]);
    expect(scrub('pw hunter22 / hunter2 / abc')).toBe('pw [redacted] / [redacted] / abc');
  });

  it('redacts URL passwords, bearer and HubSpot tokens, Salesforce sessions and JWTs', () => {
    const scrub = secretScrubber([]);
    expect(scrub('GET http://someone:pa55@127.0.0.1:9/x failed')).toBe('GET http://someone:[redacted]@127.0.0.1:9/x failed');
    expect(scrub('Authorization: Bearer abc.def-123')).toBe('Authorization: Bearer [redacted]');
    expect(scrub('token pat-eu1-12345678-1234-1234-1234-123456789012 rejected')).toBe('token [redacted] rejected');
    expect(scrub('sid 00D5g000001abcD!AQ4AQFk.x_y rejected')).toBe('sid [redacted] rejected');
    expect(scrub('assertion eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl bad')).toBe('assertion [redacted] bad');
  });

  it('redacts private keys, Google access tokens and Snowflake session tokens (the warehouses\' secrets)', () => {
    const scrub = secretScrubber([]);
    expect(scrub('key -----BEGIN PRIVATE KEY-----\nMIIE\nabc\n-----END PRIVATE KEY----- end')).toBe('key [redacted] end');
    expect(scrub('key -----BEGIN RSA PRIVATE KEY-----\nMIIE truncated')).toBe('key [redacted]');
    expect(scrub('token ya29.a0AfH6SM_x-y rejected')).toBe('token ya29.[redacted] rejected');
    expect(scrub('Authorization: Snowflake Token="ver:1-hint:123-ETMsDgAAA" failed')).toBe('Authorization: Snowflake Token="[redacted]" failed');
  });

  it('keeps the Snowflake password out of the error a failed login becomes', () => {
    const config = { type: 'snowflake', account: 'org-acct', username: 'cdp', password: 's3cret-pw', database: 'DB', warehouse: 'WH' } as SnowflakeConfig;
    const failure = snowflakeFailure(Object.assign(new Error('login failed for s3cret-pw at http://cdp:s3cret-pw@org-acct'), { code: '390100' }), config, 'connect', '');
    expect(failure.message).not.toContain('s3cret-pw');
    expect(failure.message).toContain('[redacted]');
  });
});
