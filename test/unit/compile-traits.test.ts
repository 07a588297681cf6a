import { describe, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { dialects } from '../../src/engines/dialects.js';
import { compileSegmentMembersSelect } from '../../src/profile/compile-segments.js';
import { compileTraitsSelect } from '../../src/profile/compile-traits.js';
import { writeProject, yaml } from '../helpers/project.js';

async function project(): Promise<LoadedProject> {
  const dir = await writeProject({
    'cdp.config.yaml': 'project: t\n',
    'models/p.yaml': yaml`
      sources:
        - { name: events, table: raw.events, timestamp: ts }
      traits:
        - { name: pricing_7d, from: events, aggregate: count, where: "path = '/pricing'", window: 7d }
        - { name: last_email, from: events, aggregate: last, column: email }
        - { name: spend, from: events, aggregate: sum, column: amount }
        - { name: engaged, sql: "pricing_7d > 2" }
      segments:
        - { name: hot, where: "engaged and spend is null" }
    `,
  });
  return (await loadProject(dir)).project as LoadedProject;
}

const inputs = { rowsOf: () => 'select * from src', profileIds: 'ids', asOf: new Date('2026-01-08T00:00:00Z') };

describe('compiled traits, per dialect', () => {
  it('duckdb', async () => {
    expect(compileTraitsSelect(await project(), dialects.duckdb, inputs)).toMatchInlineSnapshot(`
      "with
      a0 as (
        select r._cdp_profile_id as profile_id,
          cast(count(*) filter (where cast(r."ts" as timestamp) > (timestamp '2026-01-08 00:00:00.000' - interval 604800 second) and (path = '/pricing')) as bigint) as "pricing_7d",
          first(r."email" order by cast(r."ts" as timestamp) desc, r."email" desc) filter (where r."email" is not null) as "last_email",
          cast(sum(r."amount") as double) as "spend"
        from (select * from src) r
        where r._cdp_profile_id is not null and (cast(r."ts" as timestamp) is null or cast(r."ts" as timestamp) <= timestamp '2026-01-08 00:00:00.000')
        group by r._cdp_profile_id
      ),
      base as (
        select
          p.profile_id,
          coalesce(a0."pricing_7d", 0) as "pricing_7d",
          a0."last_email" as "last_email",
          a0."spend" as "spend"
        from ids p
        left join a0 on a0.profile_id = p.profile_id
      ),
      d0 as (
        select base.*, (pricing_7d > 2) as "engaged"
        from base
      )
      select profile_id, "pricing_7d", "last_email", "spend", "engaged"
      from d0"
    `);
  });
  it('bigquery', async () => {
    expect(compileTraitsSelect(await project(), dialects.bigquery, inputs)).toMatchInlineSnapshot(`
      "with
      a0 as (
        select r._cdp_profile_id as profile_id,
          cast(countif(cast(r.\`ts\` as TIMESTAMP) > timestamp_sub(timestamp '2026-01-08 00:00:00.000+00', interval 604800 second) and (path = '/pricing')) as INT64) as \`pricing_7d\`,
          array_agg(r.\`email\` order by r.\`email\` is null, cast(r.\`ts\` as TIMESTAMP) is null, cast(r.\`ts\` as TIMESTAMP) desc, r.\`email\` is null, r.\`email\` desc limit 1)[safe_offset(0)] as \`last_email\`,
          cast(sum(r.\`amount\`) as FLOAT64) as \`spend\`
        from (select * from src) r
        where r._cdp_profile_id is not null and (cast(r.\`ts\` as TIMESTAMP) is null or cast(r.\`ts\` as TIMESTAMP) <= timestamp '2026-01-08 00:00:00.000+00')
        group by r._cdp_profile_id
      ),
      base as (
        select
          p.profile_id,
          coalesce(a0.\`pricing_7d\`, 0) as \`pricing_7d\`,
          a0.\`last_email\` as \`last_email\`,
          a0.\`spend\` as \`spend\`
        from ids p
        left join a0 on a0.profile_id = p.profile_id
      ),
      d0 as (
        select base.*, (pricing_7d > 2) as \`engaged\`
        from base
      )
      select profile_id, \`pricing_7d\`, \`last_email\`, \`spend\`, \`engaged\`
      from d0"
    `);
  });
  it('snowflake', async () => {
    expect(compileTraitsSelect(await project(), dialects.snowflake, inputs)).toMatchInlineSnapshot(`
      "with
      a0 as (
        select r._cdp_profile_id as profile_id,
          cast(count_if(cast(cast(r."TS" as timestamp_ltz) as timestamp_ntz) > dateadd(second, -604800, '2026-01-08 00:00:00.000'::timestamp_ntz) and (path = '/pricing')) as number(38,0)) as "PRICING_7D",
          max_by(r."EMAIL", case when r."EMAIL" is not null then case when cast(cast(r."TS" as timestamp_ltz) as timestamp_ntz) is null then '0' else '1' || to_char(cast(cast(r."TS" as timestamp_ltz) as timestamp_ntz), 'YYYY-MM-DD HH24:MI:SS.FF9') end || case when r."EMAIL" is null then '0' else '1' || to_varchar(r."EMAIL") end end) as "LAST_EMAIL",
          cast(sum(r."AMOUNT") as float) as "SPEND"
        from (select * from src) r
        where r._cdp_profile_id is not null and (cast(cast(r."TS" as timestamp_ltz) as timestamp_ntz) is null or cast(cast(r."TS" as timestamp_ltz) as timestamp_ntz) <= '2026-01-08 00:00:00.000'::timestamp_ntz)
        group by r._cdp_profile_id
      ),
      base as (
        select
          p.profile_id,
          coalesce(a0."PRICING_7D", 0) as "PRICING_7D",
          a0."LAST_EMAIL" as "LAST_EMAIL",
          a0."SPEND" as "SPEND"
        from ids p
        left join a0 on a0.profile_id = p.profile_id
      ),
      d0 as (
        select base.*, (pricing_7d > 2) as "ENGAGED"
        from base
      )
      select profile_id, "PRICING_7D", "LAST_EMAIL", "SPEND", "ENGAGED"
      from d0"
    `);
  });
  it('segments over traits and segments', async () => {
    expect(compileSegmentMembersSelect(await project(), dialects.snowflake, '"CDP"."PROFILES"')).toMatchInlineSnapshot(`
      "with
      s0 as (
        select p.*, coalesce((engaged and spend is null), false) as "HOT"
        from "CDP"."PROFILES" p
      )
      select 'hot' as segment, profile_id from s0 where "HOT""
    `);
  });
});
