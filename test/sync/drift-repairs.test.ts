import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load-project.js';
import type { DriftRead } from '../../src/destinations/drift-reader.js';
import { driftRepairs } from '../../src/sync/drift/drift-repairs.js';
import { sameValue } from '../../src/sync/drift/same-value.js';
import { syncShape, type SyncShape } from '../../src/sync/sync-shape.js';
import { removeProject } from '../helpers/project.js';
import { makeProject } from './sync-fixture.js';

let dir: string;
let shape: SyncShape;
beforeAll(async () => {
  dir = await makeProject({ fields: { firstname: 'first_name', cdp_ltv: 'lifetime_value', lifecyclestage: 'email' } });
  await appendFile(join(dir, 'connectors/contacts.yaml'), 'drift: true\nownership:\n  firstname: crm\n  lifecyclestage: if_empty\n');
  const { project } = await loadProject(dir, {});
  if (!project) throw new Error('project did not load');
  shape = syncShape(project, project.syncs[0], new Map([['email', 'string'], ['first_name', 'string'], ['lifetime_value', 'float']]), true);
});
afterAll(() => removeProject(dir));

const nothing = { missing: [], survivors: new Map<string, string>() };
const read = (r: Partial<DriftRead>): DriftRead => ({ changed: [], gone: [], liveTotal: 0, ...r });

describe('driftRepairs (pure)', () => {
  it('restores cdp-owned fields, holds crm-owned ones once, and restores if_empty only when blank', () => {
    const rows = [{ key: 'a@x.io', id: '1', texts: ['Ann', '30.0', 'lead'] }];
    const crm = (values: Record<string, string | null>) => read({ changed: [{ id: '1', key: 'A@x.io', values, mergedIds: [] }] });
    const repairs = driftRepairs(shape, rows, crm({ firstname: 'Annie', cdp_ltv: '1', lifecyclestage: 'customer' }), nothing, new Set());
    expect(repairs.events.map((e) => [e.kind, e.field])).toEqual([['kept', 'firstname'], ['edited', 'cdp_ltv'], ['kept', 'lifecyclestage']]);
    expect([...repairs.restore]).toEqual([['f_cdp_ltv', ['a@x.io']]]);
    expect(repairs.holds).toEqual([{ key: 'a@x.io', field: 'firstname' }, { key: 'a@x.io', field: 'lifecyclestage' }]);
    const held = new Set(['a@x.io\u0000firstname']);
    expect(driftRepairs(shape, rows, crm({ firstname: 'Annie', cdp_ltv: '30', lifecyclestage: null }), nothing, held).events.map((e) => [e.kind, e.field])).toEqual([['edited', 'lifecyclestage']]);
  });

  it('after a merge compares only the row whose key the survivor carries, so two people never flip one record', () => {
    const rows = [
      { key: 'a@x.io', id: '1', texts: ['Ann', '30', null] },
      { key: 'b@x.io', id: '2', texts: ['Bob', '40', null] },
    ];
    const repairs = driftRepairs(shape, rows, read({ changed: [{ id: '9', key: 'a@x.io', values: { firstname: 'Ann', cdp_ltv: '30' }, mergedIds: ['1', '2'] }] }), nothing, new Set());
    expect(repairs.repoint).toEqual([{ key: 'a@x.io', id: '9' }, { key: 'b@x.io', id: '9' }]);
    expect(repairs.events.map((e) => e.kind)).toEqual(['merged', 'merged']);
    expect(repairs.restore.size).toBe(0);
  });

  it('forgets deleted records, and a Salesforce loser moves to its master instead', () => {
    const rows = [{ key: 'a@x.io', id: '003A', texts: [null, null, null] }, { key: 'b@x.io', id: '003B', texts: [null, null, null] }];
    const repairs = driftRepairs(shape, rows, read({ gone: [{ id: '003A' }, { id: '003B', mergedInto: '003C' }] }), nothing, new Set());
    expect(repairs.forget).toEqual(['a@x.io']);
    expect(repairs.repoint).toEqual([{ key: 'b@x.io', id: '003C' }]);
  });

  it('compares values by type, so formatting never looks like an edit', () => {
    expect(sameValue('float', '495.5', '495.50')).toBe(true);
    expect(sameValue('float', '495.5', '1')).toBe(false);
    expect(sameValue('timestamp', '2026-01-02 03:04:05', '2026-01-02T03:04:05.000Z')).toBe(true);
    expect(sameValue('timestamp', '2026-01-02 03:04:05', '2026-01-02T03:04:05.000+0000')).toBe(true);
    expect(sameValue('timestamp', '2026-01-02 03:04:05+00', '2026-01-02T03:04:05.000Z')).toBe(true);
    expect(sameValue('timestamp', '2026-01-02 03:04:05.123456 UTC', '2026-01-02T03:04:05.123Z')).toBe(true);
    expect(sameValue('boolean', 'true', 'TRUE')).toBe(true);
    expect(sameValue('string', 'x', '')).toBe(false);
    expect(sameValue('string', null, '')).toBe(true);
  });
});
