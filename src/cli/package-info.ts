import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The installed package's root: it holds package.json and the sample project `cdp init` copies. */
export const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The version `cdp --version` prints, read from the package's own package.json. */
export const packageVersion: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
