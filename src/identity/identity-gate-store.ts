import type { LoadedProject } from '../config/load-project.js';
import { cdpTable } from '../model/relations.js';
import type { Row, Warehouse } from '../warehouse/warehouse.js';
import type { GateBaseline, GateCheck, IdentityGate } from './identity-gate.js';

/**
 * The `identity_gates` table: one row per identity build with the gate's verdict and numbers, and
 * who accepted a tripped gate. The newest row is the gate every sync checks (docs/identity-gate.md).
 */
const COLUMNS = ['run_id', 'evaluated_at', 'status', 'checks', 'largest', 'top1_mean', 'accepted_run_id', 'accepted_at'] as const;

function table(project: LoadedProject) {
  return cdpTable(project, 'identity_gates');
}

async function ensureTable(warehouse: Warehouse, project: LoadedProject): Promise<void> {
  const d = warehouse.dialect;
  const types: Record<(typeof COLUMNS)[number], string> = {
    run_id: d.typeName('string'),
    evaluated_at: d.typeName('string'),
    status: d.typeName('string'),
    checks: d.typeName('string'),
    largest: d.typeName('integer'),
    top1_mean: d.typeName('float'),
    accepted_run_id: d.typeName('string'),
    accepted_at: d.typeName('string'),
  };
  await warehouse.execute(d.createSchema(project.config.schema));
  await warehouse.execute(`create table if not exists ${d.table(table(project))} (${COLUMNS.map((c) => `${d.quoteIdentifier(c)} ${types[c]}`).join(', ')})`);
}

function gateOf(row: Row): IdentityGate {
  return {
    runId: String(row.run_id),
    status: String(row.status) as IdentityGate['status'],
    checks: JSON.parse(String(row.checks ?? '[]')) as GateCheck[],
    largest: Number(row.largest ?? 0),
    top1PctMeanSize: Number(row.top1_mean ?? 0),
    acceptedRunId: row.accepted_run_id === null ? null : String(row.accepted_run_id),
    acceptedAt: row.accepted_at === null ? null : String(row.accepted_at),
  };
}

async function recentGates(warehouse: Warehouse, project: LoadedProject, limit: number): Promise<IdentityGate[]> {
  if (!(await warehouse.tableExists(table(project)))) return [];
  const rows = await warehouse.query(`select * from ${warehouse.dialect.table(table(project))} order by evaluated_at desc limit ${limit}`, { label: 'identity gate: read' });
  return rows.map(gateOf);
}

/** Tripped builds nobody accepted yet, newest first. */
export async function pendingIdentityGates(warehouse: Warehouse, project: LoadedProject): Promise<IdentityGate[]> {
  if (!(await warehouse.tableExists(table(project)))) return [];
  const rows = await warehouse.query(
    `select * from ${warehouse.dialect.table(table(project))} where status = 'tripped' and accepted_run_id is null order by evaluated_at desc limit 100`,
    { label: 'identity gate: read' },
  );
  return rows.map(gateOf);
}

/** The gate of the newest identity build, if any build was gated. */
export async function latestIdentityGate(warehouse: Warehouse, project: LoadedProject): Promise<IdentityGate | undefined> {
  return (await recentGates(warehouse, project, 1))[0];
}

/** The gate recorded for one build run. */
export async function identityGateOfRun(warehouse: Warehouse, project: LoadedProject, runId: string): Promise<IdentityGate | undefined> {
  if (!(await warehouse.tableExists(table(project)))) return undefined;
  const d = warehouse.dialect;
  const [row] = await warehouse.query(`select * from ${d.table(table(project))} where run_id = ${d.literal(runId)}`, { label: 'identity gate: read' });
  return row ? gateOf(row) : undefined;
}

/** What the next build is compared with: the previous build, and the last build that passed or was accepted. */
export async function identityGateBaseline(warehouse: Warehouse, project: LoadedProject): Promise<GateBaseline> {
  const gates = await recentGates(warehouse, project, 200);
  const accepted = gates.find((g) => g.status === 'passed' || g.acceptedRunId !== null);
  return { previousTop1PctMeanSize: gates[0]?.top1PctMeanSize ?? null, acceptedLargest: accepted?.largest ?? null };
}

export async function recordIdentityGate(warehouse: Warehouse, project: LoadedProject, gate: IdentityGate): Promise<void> {
  await ensureTable(warehouse, project);
  await warehouse.insertRows(table(project), COLUMNS, [
    [gate.runId, new Date().toISOString(), gate.status, JSON.stringify(gate.checks), gate.largest, gate.top1PctMeanSize, null, null],
  ]);
}

/** Marks tripped builds accepted by a run; returns them as they now stand. */
export async function acceptIdentityGates(warehouse: Warehouse, project: LoadedProject, gates: readonly IdentityGate[], runId: string): Promise<IdentityGate[]> {
  const d = warehouse.dialect;
  const at = new Date().toISOString();
  await warehouse.execute(
    `update ${d.table(table(project))} set accepted_run_id = ${d.literal(runId)}, accepted_at = ${d.literal(at)} where run_id in (${gates.map((g) => d.literal(g.runId)).join(', ')})`,
    { label: 'identity gate: accept' },
  );
  return gates.map((g) => ({ ...g, acceptedRunId: runId, acceptedAt: at }));
}
