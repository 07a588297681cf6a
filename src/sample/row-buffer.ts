/**
 * CSV rows of one table, encoded straight into bytes. The generator writes tens of millions of rows;
 * building them as JavaScript strings spent most of the time in the garbage collector, so fields are
 * copied character by character into a growing buffer instead. Every value the generator writes is
 * ASCII.
 */
const HEX_DIGITS = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const COMMA = 44;
const NEWLINE = 10;
const SPACE = 32;
const MAX_ROW = 4096;

export class RowBuffer {
  private bytes: Buffer;
  private pos = 0;
  rows = 0;

  constructor(private capacity = 1 << 16) {
    this.bytes = Buffer.allocUnsafeSlow(capacity);
  }

  /** Starts a row: makes room for one row of up to 4 KiB. */
  begin(): this {
    if (this.pos + MAX_ROW > this.bytes.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, this.pos + MAX_ROW));
      this.bytes.copy(bigger, 0, 0, this.pos);
      this.bytes = bigger;
    }
    return this;
  }

  /** Ends a row. */
  end(): void {
    this.bytes[this.pos++] = NEWLINE;
    this.rows++;
  }

  /** A value that needs no quoting (generated ids, paths, numbers, names) followed by nothing. */
  raw(s: string): this {
    const n = s.length;
    if (n > 12) {
      this.pos += this.bytes.write(s, this.pos, 'latin1');
      return this;
    }
    const b = this.bytes;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
    return this;
  }

  /** Pre-encoded CSV text (see `csvBytes`) and a comma, or an empty (NULL) field for null. */
  enc(field: Uint8Array | null, last = false): this {
    if (field !== null) {
      const n = field.length;
      if (n > 16) {
        this.bytes.set(field, this.pos);
        this.pos += n;
      } else {
        const b = this.bytes;
        let p = this.pos;
        for (let i = 0; i < n; i++) b[p++] = field[i];
        this.pos = p;
      }
    }
    if (!last) this.bytes[this.pos++] = COMMA;
    return this;
  }

  /** A safe value and a comma. */
  col(s: string): this {
    this.raw(s);
    this.bytes[this.pos++] = COMMA;
    return this;
  }

  /** An empty (NULL) field and a comma. */
  nil(): this {
    this.bytes[this.pos++] = COMMA;
    return this;
  }

  /**
   * A value that may be NULL, empty, padded or contain delimiters, and a comma (unless `last`).
   * NULL is an empty field, '' is `""`, values with outer spaces, commas, quotes or line breaks are quoted.
   */
  field(s: string | null, last = false): this {
    if (s !== null) {
      const n = s.length;
      if (n === 0 || s.charCodeAt(0) === SPACE || s.charCodeAt(n - 1) === SPACE || needsQuotes(s)) this.raw(csvText(s));
      else this.raw(s);
    }
    if (!last) this.bytes[this.pos++] = COMMA;
    return this;
  }

  /** Twelve lowercase hex digits of a 48-bit number, and a comma. */
  hex48(x: number): this {
    const b = this.bytes;
    const p = this.pos;
    let hi = Math.floor(x / 16777216);
    let lo = x & 0xffffff;
    for (let k = 11; k >= 6; k--) {
      b[p + k] = HEX_DIGITS[lo & 15];
      lo >>>= 4;
    }
    for (let k = 5; k >= 0; k--) {
      b[p + k] = HEX_DIGITS[hi & 15];
      hi >>>= 4;
    }
    b[p + 12] = COMMA;
    this.pos = p + 13;
    return this;
  }

  /** Raw bytes (e.g. a pre-encoded date) followed by nothing. */
  bytesOf(src: Uint8Array, from: number, length: number): this {
    const b = this.bytes;
    let p = this.pos;
    for (let i = 0; i < length; i++) b[p++] = src[from + i];
    this.pos = p;
    return this;
  }

  /** Two decimal digits (00–99). */
  two(n: number): this {
    this.bytes[this.pos++] = 48 + Math.floor(n / 10);
    this.bytes[this.pos++] = 48 + (n % 10);
    return this;
  }

  /** One byte. */
  char(code: number): this {
    this.bytes[this.pos++] = code;
    return this;
  }

  /** The rows written since the last call, as a buffer the caller owns (its own ArrayBuffer: transferable). */
  take(): Buffer {
    const out = this.bytes.subarray(0, this.pos);
    this.capacity = Math.max(this.capacity, this.pos + MAX_ROW);
    this.bytes = Buffer.allocUnsafeSlow(this.capacity);
    this.pos = 0;
    return out;
  }

}

/** The CSV text of a value: quoted when empty, padded, or holding a delimiter, quote or line break. */
export function csvText(s: string): string {
  const n = s.length;
  if (n === 0 || s.charCodeAt(0) === SPACE || s.charCodeAt(n - 1) === SPACE || needsQuotes(s)) {
    return `"${s.replaceAll('"', '""')}"`;
  }
  return s;
}

/** A value's CSV text as bytes, to be written many times with `enc`. */
export function csvBytes(s: string): Buffer {
  return Buffer.from(csvText(s), 'latin1');
}

function needsQuotes(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === COMMA || c === 34 || c === NEWLINE || c === 13) return true;
  }
  return false;
}

const constants = new Map<string, Buffer>();

/** The CSV bytes of a constant from the generator's vocabulary (paths, names), encoded once. */
export function constantBytes(s: string): Buffer {
  let b = constants.get(s);
  if (b === undefined) {
    b = csvBytes(s);
    constants.set(s, b);
  }
  return b;
}
