import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { ProjectError, error } from '../../diagnostics/diagnostic.js';
import type { CliCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { packageRoot } from '../package-info.js';
import { writeSampleData } from './generate.js';

const projectFiles = ['cdp.config.yaml', 'models', 'connectors', 'schemas'];

export const initCommand: CliCommand = {
  name: 'init',
  description: 'scaffold a project with sample data that runs at once',
  arguments: [{ spec: '[dir]', description: 'where to create the project (default: the current folder)' }],
  options: [{ flags: '--people <n>', description: 'how many sample people to generate', defaultValue: '2000' }],
  async run(ctx, args, options) {
    const dir = resolve(ctx.io.cwd, typeof args[0] === 'string' ? args[0] : '.');
    if (existsSync(join(dir, 'cdp.config.yaml'))) {
      throw new ProjectError([error('project-exists', `${dir} already has a cdp.config.yaml`, {}, 'pick an empty folder')]);
    }
    await mkdir(dir, { recursive: true });
    if ((await readdir(dir)).some((f) => projectFiles.includes(f))) {
      throw new ProjectError([error('project-exists', `${dir} already has models/, connectors/ or schemas/`, {}, 'pick an empty folder')]);
    }
    for (const file of projectFiles) await cp(join(packageRoot, file), join(dir, file), { recursive: true });
    await writeFile(join(dir, '.gitignore'), '.cdp/\ntarget/\ndata/\n*.duckdb\n*.duckdb.wal\n.env\n');
    await writeSampleData(ctx, join(dir, 'data'), { people: Number(options.people) || 2000, seed: 42, eventsPerPerson: 20, format: 'csv' });
    const where = relative(ctx.io.cwd, dir) || '.';
    const cd = where === '.' ? '' : `  cd ${where}\n`;
    ctx.reporter.info(
      `created a cdp project in ${where}\n\nnext:\n${cd}` +
        '  npx cdp validate    # check every file\n' +
        '  npx cdp build       # identity, traits and segments in .cdp/warehouse.duckdb\n' +
        '  npx cdp sandbox     # local HubSpot and Salesforce APIs, in another terminal\n' +
        '  npx cdp run         # build, then sync what changed',
    );
    return ExitCode.ok;
  },
};
