import type { LoadedProject } from '../config/load-project.js';
import { cdpTable } from '../model/relations.js';
import { sqlNames } from '../model/sql-names.js';
import type { Value, Warehouse } from '../warehouse/warehouse.js';

export interface SegmentVerdict {
  readonly segment: string;
  readonly member: boolean;
  readonly enteredAt: Value;
  /** The predicate, and the values of the traits and segments it reads, as they were evaluated. */
  readonly where: string;
  readonly inputs: Readonly<Record<string, Value>>;
}

export interface ProfileView {
  readonly traits: Readonly<Record<string, Value>>;
  readonly segments: readonly SegmentVerdict[];
}

/** A profile's traits and, for every segment, whether it is in and why (the predicate and its inputs). */
export async function inspectProfile(warehouse: Warehouse, project: LoadedProject, profileId: string): Promise<ProfileView | undefined> {
  const d = warehouse.dialect;
  const profiles = cdpTable(project, 'profiles');
  if (!(await warehouse.tableExists(profiles))) return undefined;
  const [row] = await warehouse.query(`select * from ${d.table(profiles)} where profile_id = ${d.literal(profileId)}`);
  if (!row) return undefined;
  const traits = Object.fromEntries(project.traits.map((t) => [t.name, row[t.name.toLowerCase()] ?? null]));
  const members = new Map<string, Value>();
  const membersTable = cdpTable(project, 'segment_members');
  if (await warehouse.tableExists(membersTable)) {
    for (const m of await warehouse.query(`select segment, entered_at from ${d.table(membersTable)} where profile_id = ${d.literal(profileId)}`)) {
      members.set(String(m.segment), m.entered_at);
    }
  }
  const segments = project.segments.map((s) => ({
    segment: s.name,
    member: members.has(s.name),
    enteredAt: members.get(s.name) ?? null,
    where: s.where,
    inputs: Object.fromEntries(
      sqlNames(s.where).flatMap((n) => (n in traits ? [[n, traits[n]]] : project.segments.some((o) => o.name === n) ? [[n, members.has(n)]] : [])),
    ),
  }));
  return { traits, segments };
}
