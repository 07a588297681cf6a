import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { cdp, removeProject, writeProject, yaml } from '../helpers/project.js';

// The blocklist is tested on a value when it is first seen; the nodes it blocks are kept for the rules of the time
// (docs/identity.md#blocklist). A rule added or removed later must still count for values seen before, in an
// incremental build exactly as in --full-refresh.
const models = (blocklist: string) => yaml`
  sources:
    - name: web
      path: data/web.csv
      timestamp: ts
      changes: append
      identifiers:
        - { column: anon, type: anonymous_id }
        - { column: email, type: email }
  identity:
    id_types:
      email: { priority: 1 }
      anonymous_id: { priority: 9 }
    blocklist: ${blocklist}
`;
const ROWS = ['ts,anon,email', '2026-01-01 00:00:00,a1,ann@corp.io', '2026-01-02 00:00:00,a2,ann@corp.io', '2026-01-03 00:00:00,a3,Shared@Corp.io', '2026-01-04 00:00:00,a4,shared@corp.io', '2026-01-05 00:00:00,a3,bob@corp.io'];

let dir: string | undefined;
afterEach(async () => {
  if (dir) await removeProject(dir);
  dir = undefined;
});

/** Who is with whom (`type:value` groups), and what the blocklist kept out, as the last build published them. */
async function published(project: string): Promise<{ groups: string[][]; blocked: string[] }> {
  const w = await DuckDBWarehouse.open({ path: join(project, '.cdp/warehouse.duckdb') });
  try {
    const rows = await w.query('select id_type, id_value, profile_id from cdp.identifiers');
    const byProfile = new Map<string, string[]>();
    for (const r of rows) byProfile.set(String(r.profile_id), [...(byProfile.get(String(r.profile_id)) ?? []), `${String(r.id_type)}:${String(r.id_value)}`]);
    const blocked = await w.query(`select id_type || ':' || id_value || ' ' || detail as v from cdp._identity_review where reason = 'blocklist' and other_type is null order by 1`);
    return { groups: [...byProfile.values()].map((g) => g.sort()).sort(), blocked: blocked.map((r) => String(r.v)) };
  } finally {
    await w.close();
  }
}

async function build(project: string, ...args: string[]): Promise<void> {
  const r = await cdp(project, ['build', ...args]);
  expect(r.code, r.stderr).toBe(0);
}

describe('a blocklist edited between builds', () => {
  it('blocks and unblocks values seen before, as --full-refresh does', async () => {
    dir = await writeProject({ 'cdp.config.yaml': 'project: t\nwarehouse: { type: duckdb, path: .cdp/warehouse.duckdb }\n', 'models/m.yaml': models('[]'), 'data/web.csv': `${ROWS.join('\n')}\n` });
    await build(dir);
    const open = await published(dir);
    // shared@corp.io glues a4 to bob's browser a3.
    expect(open.groups).toContainEqual(['anonymous_id:a3', 'anonymous_id:a4', 'email:bob@corp.io', 'email:shared@corp.io']);
    expect(open.blocked).toEqual([]);

    await writeFile(join(dir, 'models/m.yaml'), models(`[{ type: email, pattern: '^shared@' }]`));
    await build(dir);
    const blocked = await published(dir);
    expect(blocked.groups).toContainEqual(['anonymous_id:a3', 'email:bob@corp.io']);
    expect(blocked.groups).toContainEqual(['anonymous_id:a4']);
    expect(blocked.blocked).toEqual([`email:shared@corp.io blocklist[0] email ~ ^shared@`]);
    await build(dir, '--full-refresh');
    expect(await published(dir)).toEqual(blocked);

    // A row after the rule, with a value never seen: tested when first seen.
    await writeFile(join(dir, 'data/web.csv'), `${[...ROWS, '2026-01-06 00:00:00,a5,shared@corp.io', '2026-01-06 00:00:00,a5,shared@corp.org'].join('\n')}\n`);
    await build(dir);
    const more = await published(dir);
    expect(more.blocked).toEqual([`email:shared@corp.io blocklist[0] email ~ ^shared@`, `email:shared@corp.org blocklist[0] email ~ ^shared@`]);

    await writeFile(join(dir, 'models/m.yaml'), models('[]'));
    await build(dir);
    const reopened = await published(dir);
    expect(reopened.blocked).toEqual([]);
    expect(reopened.groups).toContainEqual(['anonymous_id:a3', 'anonymous_id:a4', 'anonymous_id:a5', 'email:bob@corp.io', 'email:shared@corp.io', 'email:shared@corp.org']);
    await build(dir, '--full-refresh');
    expect(await published(dir)).toEqual(reopened);
  });
});
