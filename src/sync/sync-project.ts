import type { Declared, LoadedProject } from '../config/load-project.js';
import type { SyncConfig } from '../config/schema.js';
import { error, ProjectError, RunError } from '../diagnostics/diagnostic.js';
import { suggestion } from '../diagnostics/did-you-mean.js';
import type { DestinationFactory } from '../destinations/destination.js';
import { destinationFactory } from '../destinations/destinations.js';
import type { StageContext } from '../model/stage-context.js';
import type { BoundDriftReader } from './drift/check-drift.js';
import { checkIdentityGate, type IdentityGateCheck } from './identity-gate-check.js';
import { PacedTransport } from './paced-transport.js';
import { runSync, type OpenedDestination } from './run-sync.js';
import { SerialQueue } from './serial-queue.js';
import type { ProgressFactory } from './sync-progress.js';
import type { SyncSummary } from './sync-summary.js';
import type { SyncTuning } from './sync-tuning.js';

export interface SyncProjectOptions {
  readonly syncs: readonly Declared<SyncConfig>[];
  readonly fullResync: boolean;
  readonly tuning: SyncTuning;
  readonly progress: ProgressFactory;
  /** Called for each failed sync after the first; the first failure is rethrown once all syncs ran. */
  readonly onSyncFailed?: (sync: string, error: RunError | ProjectError) => void;
  readonly onSyncDone?: (summary: SyncSummary) => void;
  /** Send even though the newest identity build tripped the identity quality gate (and record the acceptance). */
  readonly acceptIdentityChange?: boolean;
  /** Drift checks answered from this run's pulled tables, where it pulled the synced object (docs/drift.md). */
  readonly pulledDrift?: (destination: string, object: string) => BoundDriftReader | undefined;
}

export interface ProjectSyncResult {
  readonly syncs: readonly SyncSummary[];
  readonly rejected: number;
  /** The identity quality gate as the syncs found it; `open: false` means nothing was sent. */
  readonly identityGate: IdentityGateCheck;
}

/** The syncs named on the command line (all when none), or a usage error with a "did you mean". */
export function selectSyncs(project: LoadedProject, names: readonly string[]): Declared<SyncConfig>[] {
  if (names.length === 0) return [...project.syncs];
  const known = project.syncs.map((s) => s.sync);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new ProjectError(unknown.map((n) => error('unknown-sync', `no sync named '${n}'`, {}, suggestion(n, known) ?? (known.length > 0 ? `syncs: ${known.join(', ')}` : 'add one in connectors/'))));
  }
  return project.syncs.filter((s) => names.includes(s.sync));
}

export function factoryFor(project: LoadedProject, sync: Declared<SyncConfig>): DestinationFactory {
  const config = project.config.destinations[sync.destination];
  if (!config) throw new RunError('unknown-destination', `sync '${sync.sync}' uses unknown destination '${sync.destination}'`);
  const factory = destinationFactory(config.type);
  if (!factory) throw new RunError('destination-unavailable', `this cdp has no ${config.type} destination yet (sync '${sync.sync}')`, 'remove the connector or wait for a release that adds it');
  return factory;
}

/**
 * Runs the syncs one after another; destinations are opened once and share their pacing across
 * syncs (rate limits are per account). A sync that fails does not stop the others.
 */
export async function syncProject(stage: StageContext, options: SyncProjectOptions): Promise<ProjectSyncResult> {
  // With no sync selected nothing could be sent, so there is nothing to hold.
  const identityGate: IdentityGateCheck = options.syncs.length === 0 ? { open: true, accepted: [] } : await checkIdentityGate(stage, options.acceptIdentityChange ?? false);
  if (!identityGate.open) return { syncs: [], rejected: 0, identityGate };
  const opened = new Map<string, OpenedDestination>();
  const queue = new SerialQueue();
  const summaries: SyncSummary[] = [];
  let first: RunError | ProjectError | undefined;
  try {
    for (const sync of options.syncs) {
      try {
        const factory = factoryFor(stage.project, sync);
        const open = async (): Promise<OpenedDestination> => {
          const existing = opened.get(sync.destination);
          if (existing) return existing;
          const config = stage.project.config.destinations[sync.destination];
          const destination = factory.open(sync.destination, config, { requestTimeoutMs: options.tuning.requestTimeoutMs, projectDir: stage.project.dir });
          const made = { destination, transport: new PacedTransport(sync.destination, destination.rateLimit, options.tuning.retry) };
          opened.set(sync.destination, made);
          return made;
        };
        const summary = await runSync({ stage, factory, open, queue, fullResync: options.fullResync, progress: options.progress, pulledDrift: options.pulledDrift }, sync);
        summaries.push(summary);
        options.onSyncDone?.(summary);
      } catch (e) {
        if (!(e instanceof RunError || e instanceof ProjectError)) throw e;
        // The first failure is rethrown at the end (and printed by the CLI); later ones are reported here.
        if (first) options.onSyncFailed?.(sync.sync, e);
        else first = e;
      }
    }
  } finally {
    for (const { destination } of opened.values()) await destination.close().catch(() => undefined);
  }
  if (first) throw first;
  return { syncs: summaries, rejected: summaries.reduce((sum, s) => sum + s.rejected, 0), identityGate };
}
