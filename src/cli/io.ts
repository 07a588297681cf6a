import { formatDiagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { formatJsonOutput, successOutput } from './json-output.js';

/** Where a command writes. Tests pass their own; the binary uses the process's streams. */
export interface CliIO {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** True when stderr is a terminal: progress bars are drawn only then. */
  readonly interactive: boolean;
}

export function processIO(): CliIO {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    interactive: Boolean(process.stderr.isTTY),
  };
}

export interface GlobalOptions {
  readonly projectDir?: string;
  readonly asOf?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}

/** Human lines go to stderr when --json owns stdout; --quiet keeps only problems. */
export class Reporter {
  private pending: { value: unknown } | undefined;
  private printed = false;

  constructor(
    private readonly io: CliIO,
    private readonly options: GlobalOptions,
    readonly command = 'cdp',
  ) {}

  get interactive(): boolean {
    return this.io.interactive && !this.options.json && !this.options.quiet;
  }

  info(line: string): void {
    if (this.options.quiet) return;
    (this.options.json ? this.io.stderr : this.io.stdout)(`${line}\n`);
  }

  verbose(line: string): void {
    if (this.options.verbose) this.io.stderr(`${line}\n`);
  }

  problem(line: string): void {
    this.io.stderr(`${line}\n`);
  }

  diagnostics(list: readonly Diagnostic[]): void {
    for (const d of list) {
      if (d.severity === 'warning' && this.options.quiet) continue;
      this.io.stderr(`${formatDiagnostic(d)}\n`);
    }
  }

  /**
   * The one machine-readable summary of a command, printed only with --json, in the envelope of
   * docs/json-output.md once the exit code is known (`printSummary`, called by the CLI's runner).
   */
  summary(value: unknown): void {
    this.pending = { value };
  }

  /** Prints the summary now (a command that keeps running, like `cdp sandbox`, calls it itself). */
  printSummary(exitCode: number): void {
    if (!this.options.json || this.printed) return;
    this.printed = true;
    this.io.stdout(formatJsonOutput(successOutput(this.command, exitCode, this.pending?.value ?? {})));
  }

  /** True once the --json output was written (so a later failure does not print a second one). */
  get summaryPrinted(): boolean {
    return this.printed;
  }

  markPrinted(): void {
    this.printed = true;
  }
}
