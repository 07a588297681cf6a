/**
 * Identity resolution on generated sample data, scored against the generator's ground truth
 * (pairwise precision/recall; recall against what the data makes deterministically linkable).
 *
 *   npx tsx bench/identity/score.ts [--people 20000] [--seed 1]
 *
 * Runs the identity stage on the sample project's sources with: the sample project's identity
 * config (priorities, per-type limits, 90-day windows on devices and cookies, blocklist, hubs);
 * the same without link windows; built-in guards only (default blocklist and hub detection); and
 * every guard off. Targets: precision >= 0.999 and recall >= 0.98 with guards on.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadProject } from '../../src/config/load-project.js';
import { formatIdentityReport } from '../../src/identity/identity-report.js';
import { buildIdentity } from '../../src/identity/build-identity.js';
import { compileModels } from '../../src/model/compile-models.js';
import { executePlan } from '../../src/model/execute-plan.js';
import { generateSample } from '../../src/sample/generate-sample.js';
import { readSampleCsvSql } from '../../src/sample/sample-tables.js';
import { scoreIdentity, type TruthIdentifier, type TruthKind } from './score-identity.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';

const { values } = parseArgs({ options: { people: { type: 'string', default: '20000' }, seed: { type: 'string', default: '1' } } });
const asOf = new Date('2026-01-31T00:00:00Z');
const repo = new URL('../../', import.meta.url).pathname;

const TYPES = `    user_id:       { priority: 1, max_per_profile: 1 }
    salesforce_id: { priority: 2 }
    hubspot_id:    { priority: 2 }
    email:         { priority: 3, normalize: email, max_per_profile: 5 }
    phone:         { priority: 4, normalize: phone, max_per_profile: 3 }`;
const PLAIN_TYPES = `    user_id:       { priority: 1 }
    salesforce_id: { priority: 2 }
    hubspot_id:    { priority: 2 }
    email:         { priority: 3, normalize: email }
    phone:         { priority: 4, normalize: phone }
    device_id:     { priority: 8 }
    anonymous_id:  { priority: 9 }`;
const CONFIGS: Readonly<Record<string, string>> = {
  'sample project guards': await readFile(join(repo, 'models/identity.yaml'), 'utf8'),
  'guards, no link windows': `identity:\n  id_types:\n${TYPES}\n    device_id:     { priority: 8 }\n    anonymous_id:  { priority: 9 }\n  max_links_per_value: 20\n`,
  'built-in guards only': `identity:\n  id_types:\n${PLAIN_TYPES}\n`,
  'guards off': `identity:\n  id_types:\n${PLAIN_TYPES}\n  default_blocklist: false\n  max_links_per_value: 1000000000\n`,
};

const dir = await mkdtemp(join(tmpdir(), 'cdp-bench-score-'));
try {
  const people = Number(values.people);
  const sample = await generateSample({ seed: Number(values.seed), people, asOf, outDir: join(dir, 'data') });
  const rows = Object.values(sample.tables).reduce((n, t) => n + t.rows, 0);
  console.log(`sample: ${people} people, ${rows} rows in ${sample.seconds.toFixed(1)} s`);
  await cp(join(repo, 'models/sources.yaml'), join(dir, 'models/sources.yaml'));
  await cp(join(repo, 'models/staging.yaml'), join(dir, 'models/staging.yaml'));
  await writeFile(join(dir, 'cdp.config.yaml'), 'project: score\nwarehouse: { type: duckdb, path: ":memory:" }\n');

  for (const [name, identity] of Object.entries(CONFIGS)) {
    await writeFile(join(dir, 'models/identity.yaml'), identity);
    const { project } = await loadProject(dir);
    if (!project) throw new Error('the scoring project does not load');
    const w = await DuckDBWarehouse.open({ path: ':memory:', threads: 2 });
    try {
      await executePlan(w, compileModels(project, w.dialect));
      const report = await buildIdentity({ project, warehouse: w, runId: 'score', asOf, fullRefresh: true, log: () => undefined });
      const predicted = (await w.query('select id_type, id_value, profile_id from cdp.identifiers')).map((r) => ({
        idType: String(r.id_type),
        idValue: String(r.id_value),
        profileId: String(r.profile_id),
      }));
      const truth: TruthIdentifier[] = (
        await w.query(`select distinct id_type, id_value_norm, person_id, kind, link_group from ${readSampleCsvSql('identity_truth', sample.tables.identity_truth.file)}`)
      ).map((r) => ({
        idType: String(r.id_type),
        idValueNorm: String(r.id_value_norm ?? ''),
        personId: r.person_id === null ? null : String(r.person_id),
        kind: String(r.kind) as TruthKind,
        linkGroup: r.link_group === null ? null : String(r.link_group),
      }));
      const score = scoreIdentity(predicted, truth);
      const ok = score.precision >= 0.999 && score.recall >= 0.98 ? 'meets targets' : 'below targets';
      console.log(`\n${name}: precision ${score.precision.toFixed(5)}  recall ${score.recall.toFixed(5)}  (recall vs all same-person pairs ${score.recallAll.toFixed(4)})  ${ok}`);
      console.log(`  over-merged profiles ${score.overMergedProfiles}, split link groups ${score.splitLinkGroups}, identifiers ${JSON.stringify(score.identifiers)}`);
      for (const line of formatIdentityReport(report)) console.log(`  ${line}`);
      const again = await buildIdentity({ project, warehouse: w, runId: 'again', asOf, fullRefresh: false, log: () => undefined });
      const same = (await w.query('select count(*) as n from cdp.identifiers')).map((r) => Number(r.n))[0] === predicted.length;
      console.log(`  rebuild on the same data: ${again.mode} in ${again.seconds}s, changes ${JSON.stringify(again.changes)}${same ? '' : ' (identifier count changed!)'}`);
    } finally {
      await w.close();
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
