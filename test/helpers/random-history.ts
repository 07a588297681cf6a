/**
 * A random history for incremental tests (docs/incremental.md): a model with append and snapshot sources,
 * windowed traits and segments, and steps of SQL that append events and orders (late rows within
 * late_arrival, rows without a time), logins only identity reads, insert, update and delete CRM rows in place (merges through a shared
 * phone, splits through deleted rows). The same seed gives the same history.
 */
import { rng } from '../identity/graph-families.js';
import { yaml } from './project.js';

export const MODELS = yaml`
  sources:
    - name: events
      table: raw.events
      timestamp: ts
      changes: append
      late_arrival: 1d
      identifiers:
        - { column: anon, type: anonymous_id }
        - { column: email, type: email }
    - name: orders
      table: raw.orders
      timestamp: ordered_at
      changes: append
      late_arrival: 2d
      identifiers:
        - { column: email, type: email }
    - name: logins
      table: raw.logins
      timestamp: ts
      changes: append
      identifiers:
        - { column: email, type: email }
    - name: crm
      table: raw.crm
      timestamp: updated_at
      changes: snapshot
      identifiers:
        - { column: email, type: email }
        - { column: phone, type: phone }
  identity:
    id_types:
      email: { priority: 1 }
      phone: { priority: 2 }
      anonymous_id: { priority: 9 }
  traits:
    - { name: events_total, from: events, aggregate: count }
    - { name: pricing_7d, from: events, aggregate: count, where: "path = '/pricing'", window: 7d }
    - { name: paths, from: events, aggregate: count_distinct, column: path }
    - { name: first_path, from: events, aggregate: first, column: path }
    - { name: last_path_2d, from: events, aggregate: last, column: path, window: 2d }
    - { name: saw_docs, from: events, aggregate: exists, where: "path = '/docs'" }
    - { name: ltv, from: orders, aggregate: sum, column: amount }
    - { name: biggest_order, from: orders, aggregate: max, column: amount }
    - { name: orders_3d, from: orders, aggregate: count, window: 3d }
    - { name: plan, from: crm, aggregate: last, column: plan }
    - { name: crm_rows, from: crm, aggregate: count }
    - { name: score, sql: "coalesce(ltv, 0) + 10 * pricing_7d" }
  segments:
    - { name: hot, where: "pricing_7d >= 2" }
    - { name: paying, where: "coalesce(ltv, 0) > 0 and plan <> 'free'" }
`;

/**
 * The same sources with traits an incremental build keeps from their parts (docs/incremental.md#traits-kept-from-their-parts):
 * counts (windowed too), and `exists`, `min` and `max` without a window, over the append sources; the CRM's traits
 * and the derived trait are recomputed as in `MODELS`.
 */
export const PART_MODELS = MODELS.slice(0, MODELS.indexOf('\ntraits:') + 1) + yaml`
  traits:
    - { name: events_total, from: events, aggregate: count }
    - { name: pricing_7d, from: events, aggregate: count, where: "path = '/pricing'", window: 7d }
    - { name: views_2d, from: events, aggregate: count, window: 2d }
    - { name: saw_docs, from: events, aggregate: exists, where: "path = '/docs'" }
    - { name: first_seen, from: events, aggregate: min, column: ts }
    - { name: last_path, from: events, aggregate: max, column: path }
    - { name: first_order, from: orders, aggregate: min, column: ordered_at }
    - { name: orders_3d, from: orders, aggregate: count, window: 3d }
    - { name: plan, from: crm, aggregate: last, column: plan }
    - { name: crm_rows, from: crm, aggregate: count }
    - { name: score, sql: "coalesce(orders_3d, 0) + 10 * pricing_7d" }
  segments:
    - { name: hot, where: "pricing_7d >= 2" }
    - { name: paying, where: "first_order is not null and plan <> 'free'" }
`;

/** The raw tables the model reads, empty. */
export const RAW_TABLES = [
  'create schema raw',
  'create table raw.events (anon varchar, email varchar, ts timestamp, path varchar)',
  'create table raw.orders (email varchar, ordered_at timestamp, amount decimal(10, 2))',
  'create table raw.crm (id integer, email varchar, phone varchar, plan varchar, updated_at timestamp)',
  'create table raw.logins (email varchar, ts timestamp)',
];

export const PATHS = ['/pricing', '/docs', '/blog', '/home'];
export const PLANS = ['free', 'pro', 'team'];

/** A small deterministic PRNG (mulberry32), so a failing seed reproduces. */
export const random = rng;

/** A SQL literal of a value, and of a time in ms (DuckDB timestamp text). */
export const lit = (v: string | number | null) => (v === null ? 'null' : typeof v === 'number' ? String(v) : `'${v}'`);
export const at = (ms: number) => `'${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}'`;

/** One step of history as SQL, the same for both warehouses. */
export function step(next: () => number, asOf: number, previousAsOf: number, crmIds: number[], nextCrmId: { n: number }): string[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] as T;
  const hour = 3_600_000;
  // 60 browsers of 30 people; a browser sometimes logs in (its person's email links it).
  const person = () => Math.floor(next() * 30);
  const browser = () => Math.floor(next() * 60);
  // Late rows stay within late_arrival: no earlier than 20h before the last build's reference time.
  const when = () => (next() < 0.05 ? null : previousAsOf - 20 * hour + Math.floor(next() * (asOf - previousAsOf + 44 * hour)));
  // An email as sources write it: by its row's time (no draw, so histories stay as they were), sometimes upper case
  // or padded, which normalises to the same identifier.
  const spell = (email: string, ms: number | null) => (ms === null ? email : ms % 7 === 0 ? email.toUpperCase() : ms % 7 === 1 ? ` ${email}\t` : email);
  const sql: string[] = [];
  const events = Array.from({ length: 2 + Math.floor(next() * 6) }, () => {
    const ts = when();
    const b = browser();
    return `(${lit(`a${b}`)}, ${lit(next() < 0.3 ? spell(`u${b % 30}@x.com`, ts) : null)}, ${ts === null ? 'null' : at(ts)}, ${lit(pick(PATHS))})`;
  });
  sql.push(`insert into raw.events values ${events.join(', ')}`);
  if (next() < 0.6) {
    const ts = when() ?? asOf;
    sql.push(`insert into raw.orders values (${lit(spell(`u${person()}@x.com`, ts))}, ${at(ts)}, ${(Math.floor(next() * 2000) / 100).toFixed(2)})`);
  }
  // CRM rows: inserted, updated in place (plan; email: the phone then links two people, a merge), deleted
  // (a split when the row was the only link).
  const r = next();
  if (r < 0.4 || crmIds.length === 0) {
    const id = nextCrmId.n++;
    const p = person();
    crmIds.push(id);
    sql.push(`insert into raw.crm values (${id}, ${lit(`u${p}@x.com`)}, ${lit(`+1555010${String(p).padStart(4, "0")}`)}, ${lit(pick(PLANS))}, ${at(asOf - Math.floor(next() * 48) * hour)})`);
  } else if (r < 0.7) {
    sql.push(`update raw.crm set plan = ${lit(pick(PLANS))}, updated_at = ${at(asOf - hour)} where id = ${pick(crmIds)}`);
  } else if (r < 0.85) {
    sql.push(`update raw.crm set email = ${lit(`u${person()}@x.com`)} where id = ${pick(crmIds)}`);
  } else {
    const id = pick(crmIds);
    crmIds.splice(crmIds.indexOf(id), 1);
    sql.push(`delete from raw.crm where id = ${id}`);
  }
  // A login (a source only identity reads): an email seen again, which can change which email is a person's newest.
  if (next() < 0.5) sql.push(`insert into raw.logins values (${lit(`u${person()}@x.com`)}, ${at(asOf - Math.floor(next() * 12) * hour)})`);
  return sql;
}

