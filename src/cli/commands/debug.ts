import type { LoadedProject } from '../../config/load-project.js';
import { ProjectError, RunError } from '../../diagnostics/diagnostic.js';
import type { DestinationCheck } from '../../destinations/destination.js';
import { destinationFactory } from '../../destinations/destinations.js';
import { syncTuning } from '../../sync/sync-tuning.js';
import { warehouseLabel } from '../../engines/open-warehouse.js';
import { WarehouseError } from '../../warehouse/warehouse.js';
import type { CliCommand } from '../command.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';

/** One line of `cdp debug` (and one entry of its --json `checks`). */
type Check = DestinationCheck & { readonly target: string };

/** The objects each destination's syncs use, or the destination's main object when no sync uses it. */
const DEFAULT_OBJECT = { hubspot: 'contacts', salesforce: 'Contact' } as const;

export const debugCommand: CliCommand = {
  name: 'debug',
  description: "check the warehouse connection and each destination's credentials and permissions, with one cheap read each",
  async run(ctx) {
    const project = await ctx.project({ warehouse: true, destinations: 'all' });
    const checks: Check[] = [await warehouseCheck(ctx, project)];
    const tuning = syncTuning(ctx.io.env);
    for (const [name, config] of Object.entries(project.config.destinations)) {
      const used = [...new Set(project.syncs.filter((s) => s.destination === name).map((s) => s.object))];
      const objects = used.length ? used : [DEFAULT_OBJECT[config.type]];
      const factory = destinationFactory(config.type);
      if (!factory) continue;
      const destination = factory.open(name, config, { requestTimeoutMs: tuning.requestTimeoutMs, projectDir: project.dir });
      try {
        for (const check of await destination.check(objects)) checks.push({ ...check, target: `destination ${name} (${config.type})` });
      } finally {
        await destination.close();
      }
    }
    for (const c of checks) {
      if (c.ok) ctx.reporter.info(`ok    ${c.target}: ${c.check}: ${c.detail}`);
      else ctx.reporter.problem(`FAIL  ${c.target}: ${c.check}: ${c.code}: ${c.message}${c.hint ? ` (${c.hint})` : ''}`);
    }
    const failed = checks.filter((c) => !c.ok).length;
    ctx.reporter.info(failed ? `${failed} of ${checks.length} checks failed` : `all ${checks.length} checks passed`);
    ctx.reporter.summary({ ok: failed === 0, checks });
    return failed ? ExitCode.runFailed : ExitCode.ok;
  },
};

async function warehouseCheck(ctx: CommandContext, project: LoadedProject): Promise<Check> {
  const target = `warehouse (${warehouseLabel(project.config.warehouse)})`;
  const check = 'select 1';
  try {
    const warehouse = await ctx.warehouse(project);
    try {
      await warehouse.query('select 1 as ok', { label: 'debug: select 1' });
      return { target, check, ok: true, detail: 'connected and ran a query' };
    } finally {
      await warehouse.close();
    }
  } catch (e) {
    if (e instanceof RunError) return { target, check, ok: false, code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
    if (e instanceof WarehouseError) return { target, check, ok: false, code: 'warehouse', message: e.message };
    if (e instanceof ProjectError) {
      const d = e.diagnostics[0];
      return { target, check, ok: false, code: d?.code ?? 'invalid', message: d?.message ?? e.message, ...(d?.hint ? { hint: d.hint } : {}) };
    }
    throw e;
  }
}

