import { ProjectError, error } from '../diagnostics/diagnostic.js';

/**
 * The BigQuery and Snowflake clients are optional peer dependencies of the package (docs/targets.md):
 * a project that uses one installs it. When it is missing, say which package to install.
 */
export async function loadDriver<T>(pkg: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (failure) {
    const code = (failure as { code?: unknown }).code;
    const message = failure instanceof Error ? failure.message : String(failure);
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(`'${pkg}'`)) {
      throw new ProjectError([
        error('missing-driver', `this project's warehouse needs the npm package ${pkg}, which is not installed`, {}, `npm install ${pkg}`),
      ]);
    }
    throw failure;
  }
}
