import { requireSyncableBuild } from '../../run/build-status.js';
import { identityGateSchema } from '../../config/schema.js';
import { formatIdentityGate, recheckIdentityGate } from '../../identity/identity-gate.js';
import { latestIdentityGate, pendingIdentityGates } from '../../identity/identity-gate-store.js';
import { previewSyncs } from '../../sync/preview-syncs.js';
import { gateLine } from '../../sync/removal-gates.js';
import { selectSyncs } from '../../sync/sync-project.js';
import { matchKeyLines, previewLines } from '../../sync/sync-summary.js';
import type { CliCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { names } from './sync-command-support.js';

export const planCommand: CliCommand = {
  name: 'plan',
  description: 'show what each sync would send (creates, updates per field, removals, memberships) without sending',
  arguments: [{ spec: '[syncs...]', description: 'syncs to plan (default: all)' }],
  options: [{ flags: '--full-resync', description: 'plan a full re-send instead of the diff' }],
  async run(ctx, args, options) {
    const project = await ctx.project({ warehouse: true });
    const syncs = selectSyncs(project, names(args[0]));
    const warehouse = await ctx.readOnlyWarehouse(project);
    try {
      await requireSyncableBuild(warehouse, project);
      const previews = await previewSyncs(warehouse, project, syncs, Boolean(options.fullResync));
      if (previews.length === 0) ctx.reporter.info('no syncs: add one in connectors/');
      for (const preview of previews) {
        for (const line of previewLines(`${preview.sync} -> ${preview.destination} ${preview.object} (mode ${preview.mode})`, preview.diff, preview.mode)) ctx.reporter.info(line);
        for (const line of matchKeyLines(preview.match_keys, preview.destination)) ctx.reporter.info(`  ${line}`);
        for (const gate of preview.gates) {
          if (gate.exceeded) ctx.reporter.problem(`gate ${gateLine(gate)}`);
          else if (gate.removed > 0) ctx.reporter.info(`  gate ${gateLine(gate)}`);
        }
      }
      if (previews.some((p) => p.exceedsMaxRemovals)) {
        ctx.reporter.problem('cdp sync would send nothing to any destination (exit 4) unless the gates are passed knowingly with --accept-removals');
      }
      const config = project.identity?.gate ?? identityGateSchema.parse({});
      const identityGate = {
        latest: (await latestIdentityGate(warehouse, project)) ?? null,
        held: (await pendingIdentityGates(warehouse, project)).map((g) => ({ ...g, checks: recheckIdentityGate(g, config) })).filter((g) => g.checks.some((c) => c.exceeded)),
      };
      for (const held of identityGate.held) for (const line of formatIdentityGate(held)) ctx.reporter.problem(line);
      if (identityGate.held.length > 0) ctx.reporter.problem('cdp sync would send nothing (exit 4) until the change is accepted with --accept-identity-change');
      else if (identityGate.latest) ctx.reporter.info(formatIdentityGate(identityGate.latest)[0]);
      ctx.reporter.summary({ command: 'plan', syncs: previews, identityGate });
      return ExitCode.ok;
    } finally {
      await warehouse.close();
    }
  },
};

