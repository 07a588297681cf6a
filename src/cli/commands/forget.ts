import { ProjectError, error } from '../../diagnostics/diagnostic.js';
import { withRun } from '../../run/with-run.js';
import { forgetPerson } from '../../sync/forget-person.js';
import { PacedTransport } from '../../sync/paced-transport.js';
import { SerialQueue } from '../../sync/serial-queue.js';
import { factoryFor } from '../../sync/sync-project.js';
import { progressFactory } from '../../sync/sync-progress.js';
import type { OpenedDestination, SyncRunContext } from '../../sync/send-sync.js';
import { syncTuning } from '../../sync/sync-tuning.js';
import type { CliCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { loadSyncProject } from './sync-command-support.js';

export const forgetCommand: CliCommand = {
  name: 'forget',
  description: 'erase a person: remove them from every list, campaign and field cdp set in every destination, then from cdp\'s tables (audit row in erasures)',
  arguments: [{ spec: '<identifier>', description: 'type:value, e.g. email:jane@example.org' }],
  options: [],
  async run(ctx, args) {
    const text = String(args[0]);
    const at = text.indexOf(':');
    if (at <= 0 || at === text.length - 1) throw new ProjectError([error('invalid-argument', `'${text}' is not type:value`, {}, 'e.g. cdp forget email:jane@example.org')]);
    const { project } = await loadSyncProject(ctx, []);
    const tuning = syncTuning(ctx.io.env);
    const result = await withRun(ctx, project, 'forget', async (stage) => {
      const opened = new Map<string, OpenedDestination>();
      const queue = new SerialQueue();
      const progress = progressFactory({ interactive: ctx.reporter.interactive, line: (l) => ctx.reporter.info(l) });
      try {
        const forgot = await forgetPerson(
          stage,
          (shape): SyncRunContext => {
            const sync = shape.sync;
            const factory = factoryFor(project, sync);
            const open = async (): Promise<OpenedDestination> => {
              const existing = opened.get(sync.destination);
              if (existing) return existing;
              const destination = factory.open(sync.destination, project.config.destinations[sync.destination], { requestTimeoutMs: tuning.requestTimeoutMs, projectDir: project.dir });
              const made = { destination, transport: new PacedTransport(sync.destination, destination.rateLimit, tuning.retry) };
              opened.set(sync.destination, made);
              return made;
            };
            return { stage, factory, open, queue, fullResync: false, progress, notice: (l) => ctx.reporter.info(l) };
          },
          text.slice(0, at),
          text.slice(at + 1),
        );
        return { status: forgot.rejected > 0 ? 'rejected' : 'success', counts: { forget: { syncs: forgot.syncs, deleted: forgot.deleted, profiles: forgot.profile_ids.length } }, result: forgot };
      } finally {
        for (const { destination } of opened.values()) await destination.close().catch(() => undefined);
      }
    });
    const r = ctx.reporter;
    const who = `${result.id_type}:${result.id_value}`;
    r.info(`${who}: ${result.profile_ids.length === 0 ? 'no profile in identifiers' : `profile ${result.profile_ids.join(', ')}`}`);
    for (const s of result.syncs) r.info(`  ${s.sync}: ${s.records} record${s.records === 1 ? '' : 's'}: ${s.cleared} cleared, ${s.removed} memberships removed, ${s.rejected} rejected`);
    if (result.rejected > 0) {
      r.problem(`${result.rejected} operation${result.rejected === 1 ? ' was' : 's were'} refused (see sync_log); cdp's tables were left as they are: run \`cdp forget ${text}\` again`);
    } else {
      const deleted = Object.entries(result.deleted).filter(([, n]) => n > 0);
      r.info(`  deleted from cdp's tables: ${deleted.length > 0 ? deleted.map(([t, n]) => `${t} ${n}`).join(', ') : 'nothing'}; audit row in erasures`);
      r.info('  records stay in the CRMs (cdp does not delete them); delete the person from your sources too: until then the next build brings them back, and erasures keeps them out of every sync');
    }
    r.summary({ command: 'forget', ...result });
    return result.rejected > 0 ? ExitCode.rejected : ExitCode.ok;
  },
};
