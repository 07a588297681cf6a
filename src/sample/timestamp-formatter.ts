import type { RowBuffer } from './row-buffer.js';

/**
 * Writes epoch seconds as `YYYY-MM-DD HH:MM:SS` (UTC) from a table of pre-encoded days covering the
 * sample's range: far faster than Date#toISOString in the hot loop. Instants outside the range fall
 * back to Date.
 */
export class TimestampFormatter {
  private readonly days: Uint8Array;
  private readonly firstDay: number;
  private readonly dayCount: number;

  constructor(fromSeconds: number, toSeconds: number) {
    this.firstDay = Math.floor(fromSeconds / 86400);
    this.dayCount = Math.floor(toSeconds / 86400) - this.firstDay + 1;
    this.days = new Uint8Array(this.dayCount * 10);
    for (let d = 0; d < this.dayCount; d++) {
      const text = new Date((this.firstDay + d) * 86400_000).toISOString();
      for (let k = 0; k < 10; k++) this.days[d * 10 + k] = text.charCodeAt(k);
    }
  }

  format(epochSeconds: number): string {
    return new Date(Math.floor(epochSeconds) * 1000).toISOString().slice(0, 19).replace('T', ' ');
  }

  /** Writes the timestamp and then a comma (or nothing when `last`). */
  write(row: RowBuffer, epochSeconds: number, last = false): void {
    const s = Math.floor(epochSeconds);
    const day = Math.floor(s / 86400);
    const d = day - this.firstDay;
    if (d < 0 || d >= this.dayCount) row.raw(this.format(s));
    else {
      const sod = s - day * 86400;
      const h = Math.floor(sod / 3600);
      const m = Math.floor((sod - h * 3600) / 60);
      row.bytesOf(this.days, d * 10, 10).char(32).two(h).char(58).two(m).char(58).two(sod - h * 3600 - m * 60);
    }
    if (!last) row.char(44);
  }
}
