import type { BuildSummary } from '../run/build-project.js';
import type { Reporter } from './io.js';

export function printBuildSummary(reporter: Reporter, summary: BuildSummary): void {
  reporter.info(`built ${summary.models} models and ${summary.sources} sources`);
}
