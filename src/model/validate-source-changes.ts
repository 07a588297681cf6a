import { locate, type LoadedProject } from '../config/load-project.js';
import { error, type Diagnostic } from '../diagnostics/diagnostic.js';

/**
 * `changes:` on sources (docs/incremental.md): an append source is read past its watermark by its
 * `timestamp:` column, so it needs one; `late_arrival` only means something for append sources.
 */
export function validateSourceChanges(project: LoadedProject): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const source of project.sources) {
    if (source.changes === 'append' && source.timestamp === undefined) {
      out.push(
        error(
          'missing-timestamp',
          `source '${source.name}' is changes: append, which finds new rows by time, but declares no timestamp:`,
          locate(source.origin, 'changes'),
          'add timestamp: <column>, or use changes: snapshot (rows found by a hash of each row)',
        ),
      );
    }
    if (source.late_arrival !== undefined && source.changes !== 'append') {
      out.push(
        error(
          'invalid-source',
          `late_arrival applies to changes: append sources; source '${source.name}' is changes: ${source.changes}`,
          locate(source.origin, 'late_arrival'),
          'remove late_arrival, or set changes: append',
        ),
      );
    }
  }
  return out;
}
