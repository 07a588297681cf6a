import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { compileDiffSelect } from '../../src/sync/diff-sql.js';
import { syncShape } from '../../src/sync/sync-shape.js';
import { removeProject, writeProject } from '../helpers/project.js';

// `match: { id_type }` keys: a type identity already trims and lower-cases is read as stored; any other is trimmed and
// lower-cased by the diff itself (SyncShape.keysAsStored, docs/incremental.md#syncs).
const connector = (idType: string) => `sync: by_${idType}\ndestination: hubspot\nobject: contacts\naudience: all\nmatch: { id_type: ${idType}, field: email }\nfields: { firstname: first_name }\n`;

let dir: string;
let project: LoadedProject;
beforeAll(async () => {
  dir = await writeProject({
    'cdp.config.yaml': 'project: t\nwarehouse: { type: duckdb, path: .cdp/warehouse.duckdb }\ndestinations:\n  hubspot: { type: hubspot, accessToken: "${HUBSPOT_ACCESS_TOKEN}" }\n',
    'models/people.yaml': `
sources:
  - name: people
    table: raw.people
    identifiers: [{ column: email, type: email }, { column: legacy_email, type: legacy_email }, { column: crm_email, type: crm_email }]
identity:
  id_types:
    email: { priority: 1 }
    legacy_email: { priority: 2, normalize: none }
    crm_email: { priority: 3, normalize: trim }
traits:
  - { name: first_name, from: people, aggregate: last, column: first_name }
`,
    'connectors/a.yaml': connector('email'),
    'connectors/b.yaml': connector('legacy_email'),
    'connectors/c.yaml': connector('crm_email'),
  });
  const loaded = (await loadProject(dir, { HUBSPOT_ACCESS_TOKEN: 'pat-fake-test-token' })).project;
  if (!loaded) throw new Error('project did not load');
  project = loaded;
});
afterAll(() => removeProject(dir));

const shapeOf = (idType: string) => syncShape(project, project.syncs.find((s) => s.sync === `by_${idType}`) ?? project.syncs[0], new Map([['first_name', 'string']]), true);

describe('match keys from identifiers', () => {
  it('are read as stored only for types identity trims and lower-cases', () => {
    expect(shapeOf('email').keysAsStored).toBe(true);
    expect(shapeOf('legacy_email').keysAsStored).toBe(false);
    // Trimmed but not lower-cased, and HubSpot's email ignores case.
    expect(shapeOf('crm_email').keysAsStored).toBe(false);
  });

  it('are trimmed and lower-cased by the diff when identity did not do it', async () => {
    const w = await DuckDBWarehouse.open({ path: ':memory:' });
    try {
      await w.execute('create schema cdp');
      await w.execute('create table cdp.profiles (profile_id varchar, first_name varchar)');
      await w.execute(`insert into cdp.profiles values ('p1', 'Ann'), ('p2', 'Bo')`);
      await w.execute('create table cdp.segment_members (segment varchar, profile_id varchar, entered_at timestamp)');
      await w.execute('create table cdp.identifiers (id_type varchar, id_value varchar, profile_id varchar, first_seen timestamp, last_seen timestamp)');
      await w.execute(`insert into cdp.identifiers values
        ('email', 'ann@x.com', 'p1', timestamp '2026-01-01', timestamp '2026-01-02'),
        ('legacy_email', ' Ann@X.com', 'p1', timestamp '2026-01-01', timestamp '2026-01-02'),
        ('crm_email', 'Bo@X.com', 'p2', timestamp '2026-01-01', timestamp '2026-01-02')`);
      const keys = async (idType: string) =>
        (await w.query(`select match_key, profile_id from (${compileDiffSelect(shapeOf(idType), w.dialect, { stateColumns: undefined, fullResync: true })}) x order by match_key`)).map((r) => `${String(r.match_key)} ${String(r.profile_id)}`);
      expect(await keys('email')).toEqual(['ann@x.com p1']);
      expect(await keys('legacy_email')).toEqual(['ann@x.com p1']);
      expect(await keys('crm_email')).toEqual(['bo@x.com p2']);
    } finally {
      await w.close();
    }
  });
});
