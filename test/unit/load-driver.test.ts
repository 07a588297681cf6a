import { describe, expect, it } from 'vitest';
import { ProjectError, formatDiagnostic } from '../../src/diagnostics/diagnostic.js';
import { loadDriver } from '../../src/engines/load-driver.js';

describe('optional warehouse clients', () => {
  it('names the npm package to install when a client is missing', async () => {
    const missing = 'cdp-test-no-such-warehouse-sdk';
    const failure = await loadDriver(missing, () => import(/* @vite-ignore */ missing)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ProjectError);
    expect((failure as ProjectError).diagnostics.map(formatDiagnostic)).toEqual([
      `missing-driver this project's warehouse needs the npm package ${missing}, which is not installed (npm install ${missing})`,
    ]);
  });

  it('loads an installed client, and passes other failures through', async () => {
    const sdk = await loadDriver('snowflake-sdk', () => import('snowflake-sdk'));
    expect(typeof sdk.default.createConnection).toBe('function');
    await expect(loadDriver('x', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});
