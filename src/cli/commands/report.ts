import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { collectReportData } from '../../report/report-data.js';
import { reportHtml } from '../../report/report-html.js';
import type { CliCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';

export const reportCommand: CliCommand = {
  name: 'report',
  description: 'write a self-contained HTML report of a run (stages, identity, segments, syncs) and its data as JSON',
  options: [
    { flags: '--run <id>', description: 'the run to report (default: the newest; see cdp history)' },
    { flags: '--out <dir>', description: 'folder for report.html and report.json', defaultValue: 'target/report' },
  ],
  async run(ctx, _args, options) {
    const project = await ctx.project({ warehouse: true });
    const warehouse = await ctx.readOnlyWarehouse(project);
    try {
      const data = await collectReportData(warehouse, project, options.run as string | undefined);
      const out = resolve(project.dir, String(options.out));
      await mkdir(out, { recursive: true });
      const html = join(out, 'report.html');
      const json = join(out, 'report.json');
      await writeFile(json, `${JSON.stringify(data, null, 2)}\n`);
      await writeFile(html, await reportHtml(data));
      const shown = (p: string) => (relative(project.dir, p).startsWith('..') ? p : relative(project.dir, p));
      ctx.reporter.info(`report of run ${data.run.runId} (${data.run.command}, ${data.run.status}): ${shown(html)} (data: ${shown(json)})`);
      ctx.reporter.summary({ command: 'report', runId: data.run.runId, html, json });
      return ExitCode.ok;
    } finally {
      await warehouse.close();
    }
  },
};
