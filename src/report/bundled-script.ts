import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The browser builds we inline, so a report opens from disk with no server and no network. */
const BUNDLES = {
  /** Chart.js's UMD build (defines `Chart`). */
  chartjs: () => join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
  /** Cytoscape.js's UMD build (defines `cytoscape`). */
  cytoscape: () => require.resolve('cytoscape/dist/cytoscape.min.js'),
} as const;

/** A library's minified browser build as the body of an inline `<script>`. */
export async function bundledScript(name: keyof typeof BUNDLES): Promise<string> {
  return safeScript(await readFile(BUNDLES[name](), 'utf8'));
}

/** Text that cannot close its `<script>` element early. */
export function safeScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** A value as JSON inside `<script type="application/json">`. */
export function jsonScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function escapeHtml(text: unknown): string {
  return String(text ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
