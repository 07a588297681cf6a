/**
 * Every write of a record's modified date (HubSpot's `lastmodifieddate`, Salesforce's `SystemModstamp`), kept in time
 * order, so that "modified since" is a binary search and not a scan of every record. Writes come in time order but
 * for a millisecond here and there (or a rolled-back write), so each one's place is found from the end. Entries of
 * records written again stay until the log has grown past twice the records, when it is made again from their
 * current dates. A record without a date meets no bound on it and is not logged; a date that is not a time makes
 * the log inexact for good, and its readers scan instead.
 */
export class ModifiedLog {
  private ms: number[] = [];
  private ids: string[] = [];
  private exact = true;

  /** Logs a write; `current` gives every record's (id, date) now, for when the log is made again. */
  add(id: string, date: string | null | undefined, records: number, current: () => Iterable<readonly [string, string | null | undefined]>): void {
    const ms = this.time(date);
    if (ms === undefined) return;
    let i = this.ms.length;
    while (i > 0 && this.ms[i - 1] > ms) i--;
    this.ms.splice(i, 0, ms);
    this.ids.splice(i, 0, id);
    if (this.ms.length > 2 * records + 1024) {
      const entries: { id: string; ms: number }[] = [];
      for (const [recordId, recordDate] of current()) {
        const at = this.time(recordDate);
        if (at !== undefined) entries.push({ id: recordId, ms: at });
      }
      entries.sort((a, b) => a.ms - b.ms);
      this.ms = entries.map((e) => e.ms);
      this.ids = entries.map((e) => e.id);
    }
  }

  /**
   * The ids written at or after `ms` (a record written since then, perhaps again later), each once. Undefined when
   * inexact, or when more than `max` writes are that recent: reading them would cost more than the scan it saves.
   */
  since(ms: number, max: number): ReadonlySet<string> | undefined {
    if (!this.exact) return undefined;
    let lo = 0;
    let hi = this.ms.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ms[mid] < ms) lo = mid + 1;
      else hi = mid;
    }
    if (this.ids.length - lo > max) return undefined;
    return new Set(this.ids.slice(lo));
  }

  private time(date: string | null | undefined): number | undefined {
    if (date === null || date === undefined || date === '') return undefined;
    const ms = Date.parse(date);
    if (Number.isFinite(ms)) return ms;
    this.exact = false;
    return undefined;
  }
}
