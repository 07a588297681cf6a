import { afterEach } from 'vitest';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { hubspotConfig, query, startHubSpot } from '../destinations/destination-fixture.js';
import { removeProject, writeProject } from '../helpers/project.js';

/** A project with a HubSpot sandbox of its own: one side of a comparison between two ways of running (scoped-diff tests). */
export interface Side {
  readonly dir: string;
  readonly sandbox: HubSpotSandbox;
}

/** What one run sent: the counts a user sees, which differ when one diff missed or added a record. */
export function sent(summary: Readonly<Record<string, unknown>> | undefined): unknown {
  return { sent: summary?.sent, rejected: summary?.rejected, diff: summary?.diff };
}

/**
 * `side(files, sql)`: a DuckDB project with these files (and a HubSpot destination) and its own sandbox, the SQL
 * run in its warehouse first. Every side is closed and removed after each test.
 */
export function useHubSpotSides(): (files: Readonly<Record<string, string>>, sql: readonly string[]) => Promise<Side> {
  const sides: Side[] = [];
  afterEach(async () => {
    for (const s of sides.splice(0)) {
      await s.sandbox.close();
      await removeProject(s.dir);
    }
  });
  return async (files, sql) => {
    const dir = await writeProject({ 'cdp.config.yaml': hubspotConfig(), ...files });
    const s = { dir, sandbox: await startHubSpot() };
    sides.push(s);
    for (const statement of sql) await query(dir, statement);
    return s;
  };
}
