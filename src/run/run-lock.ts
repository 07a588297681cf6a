import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { LoadedProject } from '../config/load-project.js';
import { RunError } from '../diagnostics/diagnostic.js';
import { cdpTable } from '../model/relations.js';
import type { Warehouse } from '../warehouse/warehouse.js';

/**
 * A lock row in the warehouse, so two runs never interleave (docs/guarantees.md#runs-never-interleave, docs/builds.md). A lock whose
 * heartbeat is older than the timeout is stale (its holder died) and is taken over. The holder refreshes
 * `heartbeat_at` while it runs (`keepAlive`), so a long run or a watch loop is never taken over; a
 * holder whose heartbeat finds its name gone from the row has lost the lock and stops (`lock-lost`).
 *
 * Taking it is one compare-and-set UPDATE of a single row (`holder` NULL when free), never an
 * `INSERT … WHERE NOT EXISTS`: under BigQuery's and Snowflake's isolation two such inserts can both
 * see no lock and both insert, and each run then saw two holders, failed, and left a phantom lock
 * behind. Concurrent UPDATEs of one row are serialised by every engine (or one fails); after the
 * UPDATE the row says who won. Duplicate free rows (from two first-ever runs creating the row at
 * once) are harmless: the UPDATE sets them all.
 */
export class RunLock {
  private constructor(
    private readonly warehouse: Warehouse,
    private readonly project: LoadedProject,
    readonly holder: string,
  ) {}

  /** Set when a heartbeat found another holder on the row. */
  private lost: RunError | undefined;
  private readonly lostController = new AbortController();

  /** Aborted when a heartbeat or check finds the lock taken over (a watch's pause ends at once then). */
  get lostSignal(): AbortSignal {
    return this.lostController.signal;
  }

  static async acquire(warehouse: Warehouse, project: LoadedProject, now = new Date()): Promise<RunLock> {
    try {
      return await RunLock.tryAcquire(warehouse, project, now);
    } catch (error) {
      // A holder on this machine whose process is gone (killed, crashed) cannot finish: take over at once.
      if (!(error instanceof HeldLock) || !deadLocalHolder(error.holder)) throw error;
      const d = warehouse.dialect;
      await warehouse.execute(`update ${d.table(cdpTable(project, '_cdp_lock'))} set holder = null, heartbeat_at = null where name = 'run' and holder = ${d.literal(error.holder)}`);
      return RunLock.tryAcquire(warehouse, project, now);
    }
  }

  private static async tryAcquire(warehouse: Warehouse, project: LoadedProject, now: Date, retries = 4): Promise<RunLock> {
    const d = warehouse.dialect;
    const table = d.table(cdpTable(project, '_cdp_lock'));
    const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const staleBefore = new Date(now.getTime() - project.config.lock_timeout_minutes * 60_000).toISOString();
    await warehouse.execute(d.createSchema(project.config.schema));
    await warehouse
      .execute(`create table if not exists ${table} (name ${d.typeName('string')}, holder ${d.typeName('string')}, heartbeat_at ${d.typeName('string')})`)
      .catch(async (error: unknown) => {
        // Two first-ever runs creating the table at once: one of the two creates fails, the table is there.
        if (!(await warehouse.tableExists(cdpTable(project, '_cdp_lock')))) throw error;
      });
    const holders = async () =>
      warehouse.query(`select distinct holder, heartbeat_at from ${table} where name = 'run' and holder is not null order by heartbeat_at, holder`);
    for (let attempt = 1; ; attempt++) {
      try {
        if ((await warehouse.query(`select 1 as x from ${table} where name = 'run'`)).length === 0) {
          await warehouse.execute(`insert into ${table} (name, holder, heartbeat_at) values ('run', null, null)`, { label: 'take run lock' });
        }
        await warehouse.execute(
          `update ${table} set holder = ${d.literal(holder)}, heartbeat_at = ${d.literal(now.toISOString())} where name = 'run' and (holder is null or heartbeat_at < ${d.literal(staleBefore)})`,
          { label: 'take run lock' },
        );
        break;
      } catch (error) {
        // A concurrent run changed the row at the same time (a write conflict): whoever holds it now won;
        // when both conflicted and nobody holds it, try again after a short random pause.
        if ((await holders()).length > 0) break;
        if (attempt >= 5) throw error;
        await sleep(50 + Math.floor(Math.random() * 200 * attempt));
      }
    }
    const rows = await holders();
    if (rows.length !== 1 || rows[0].holder !== holder) {
      // Lost: never leave this run's name on a row (a second row, or one taken in a conflict).
      await warehouse.execute(`update ${table} set holder = null, heartbeat_at = null where name = 'run' and holder = ${d.literal(holder)}`).catch(() => undefined);
      // Two first-ever runs can each insert a row and each take one: both lose, and nobody holds the lock. Then
      // try again after a random pause; a run wins only when its name is the one holder it reads, so never two.
      if (retries > 0 && (await holders()).length === 0) {
        await sleep(50 + Math.floor(Math.random() * 250));
        return RunLock.tryAcquire(warehouse, project, now, retries - 1);
      }
      const other = rows.find((r) => r.holder !== holder) ?? rows[0];
      throw new HeldLock(
        String(other?.holder),
        `another cdp run holds the lock (${String(other?.holder)}, last seen ${String(other?.heartbeat_at)})`,
        `wait for it to finish; a lock not refreshed for ${project.config.lock_timeout_minutes} minutes is taken over`,
      );
    }
    return new RunLock(warehouse, project, holder);
  }

  /**
   * Refreshes `heartbeat_at`, then reads the row back: when another run has taken the lock over
   * (this run's heartbeat went stale), throws `lock-lost` and remembers it for `assertHeld`.
   * `warehouse` is the session to use (the heartbeat's own, so it never waits behind a long statement).
   */
  async heartbeat(now = new Date(), warehouse: Warehouse = this.warehouse): Promise<void> {
    if (this.lost) throw this.lost;
    const d = warehouse.dialect;
    const table = d.table(cdpTable(this.project, '_cdp_lock'));
    await warehouse.execute(`update ${table} set heartbeat_at = ${d.literal(now.toISOString())} where name = 'run' and holder = ${d.literal(this.holder)}`, { label: 'refresh run lock' });
    await this.verify(warehouse);
  }

  /** Reads the lock row (no write): throws `lock-lost` when this run's name is no longer on it. */
  async verify(warehouse: Warehouse = this.warehouse): Promise<void> {
    if (this.lost) throw this.lost;
    const table = warehouse.dialect.table(cdpTable(this.project, '_cdp_lock'));
    const rows = await warehouse.query(`select distinct holder from ${table} where name = 'run'`, { label: 'check run lock' });
    if (rows.some((r) => r.holder === this.holder)) return;
    const other = rows.find((r) => r.holder !== null)?.holder;
    this.lost = new RunError(
      'lock-lost',
      `this run lost the run lock${other ? ` to ${String(other)}` : ''}: its heartbeat was older than lock_timeout_minutes (${this.project.config.lock_timeout_minutes}) and another run took it over; this run stopped writing`,
      'run again once the other run is done; if this machine was suspended or the warehouse unreachable for that long, raise lock_timeout_minutes',
    );
    this.lostController.abort(this.lost);
    throw this.lost;
  }

  /** Throws `lock-lost` once a heartbeat found the lock taken over; a run checks it before every statement. */
  assertHeld(): void {
    if (this.lost) throw this.lost;
  }

  /**
   * Refreshes the heartbeat every `intervalMs` on `session` until the returned stop() is called. A
   * failed refresh that is not a takeover (the warehouse briefly unreachable) is retried next time.
   */
  keepAlive(session: Warehouse, intervalMs = heartbeatInterval(this.project.config.lock_timeout_minutes)): () => Promise<void> {
    let beating: Promise<void> = Promise.resolve();
    const timer = setInterval(() => {
      beating = beating.then(() => this.heartbeat(new Date(), session)).catch(() => undefined);
    }, intervalMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await beating;
    };
  }

  async release(): Promise<void> {
    const d = this.warehouse.dialect;
    await this.warehouse.execute(`update ${d.table(cdpTable(this.project, '_cdp_lock'))} set holder = null, heartbeat_at = null where name = 'run' and holder = ${d.literal(this.holder)}`);
  }
}

/** How often a holder refreshes its heartbeat: a quarter of the timeout, at most every 5 minutes (docs/guarantees.md#runs-never-interleave). */
export function heartbeatInterval(lockTimeoutMinutes: number): number {
  return Math.min((lockTimeoutMinutes * 60_000) / 4, 5 * 60_000);
}

/** The lock is held by another run (exit 1). */
class HeldLock extends RunError {
  constructor(
    readonly holder: string,
    message: string,
    hint: string,
  ) {
    super('lock-held', message, hint);
  }
}

/** `host:pid:nonce` of a process on this machine that no longer exists. */
function deadLocalHolder(holder: string): boolean {
  const [host, pid] = holder.split(':');
  if (host !== hostname() || !/^\d+$/.test(pid ?? '')) return false;
  if (Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
