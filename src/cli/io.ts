import { pino, type Logger } from 'pino';
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
    stdout: pipeWriter(process.stdout),
    stderr: pipeWriter(process.stderr),
    interactive: Boolean(process.stderr.isTTY),
  };
}

/**
 * Writes to a stream until its reader goes away (`cdp plan | head`): an EPIPE then silences the
 * stream instead of crashing with a stack trace, and the command itself still finishes.
 */
function pipeWriter(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed = true;
  });
  return (text) => {
    if (!closed) stream.write(text);
  };
}

export interface GlobalOptions {
  readonly projectDir?: string;
  readonly target?: string;
  readonly asOf?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
  /** `json`: every line for people becomes one JSON log record on stderr (docs/commands.md#logs-and-progress). */
  readonly logFormat?: 'text' | 'json';
}

/**
 * Human lines go to stderr when --json owns stdout; --quiet keeps only problems. `--verbose` adds
 * each step, stamped with the time and how long the previous step took; on a terminal, a run's
 * current stage is shown on one line that is cleared when done; `--log-format json` turns every line
 * into a JSON log record (pino) on stderr instead.
 */
export class Reporter {
  private pending: { value: unknown } | undefined;
  private printed = false;
  private readonly logger: Logger | undefined;
  private lastStamp = Date.now();
  private status: { text: string; stages: string[]; stageStarted: number } | undefined;

  constructor(
    private readonly io: CliIO,
    private readonly options: GlobalOptions,
    readonly command = 'cdp',
  ) {
    if (options.logFormat === 'json') {
      this.logger = pino(
        { base: { command }, level: options.verbose ? 'debug' : options.quiet ? 'warn' : 'info', timestamp: pino.stdTimeFunctions.isoTime },
        { write: (text: string) => io.stderr(text) },
      );
    }
  }

  get interactive(): boolean {
    return this.io.interactive && !this.options.json && !this.options.quiet && !this.logger;
  }

  info(line: string): void {
    if (this.logger) return void this.logger.info(line);
    if (this.options.quiet) return;
    this.clearStatus();
    (this.options.json ? this.io.stderr : this.io.stdout)(`${line}\n`);
  }

  verbose(line: string): void {
    if (this.logger) return void this.logger.debug(line);
    if (!this.options.verbose) return;
    this.clearStatus();
    this.io.stderr(`${this.stamp()} ${line}\n`);
  }

  /**
   * A step of a run: a stage (`models`, `identity`, …) or, indented, one statement label. Shown with
   * --verbose; on a terminal the stage is also the live status line; otherwise nothing.
   */
  step(line: string): void {
    const stage = !line.startsWith(' ');
    if (this.logger) return void (stage ? this.logger.info({ stage: line }, `stage ${line}`) : this.logger.debug(line.trim()));
    if (this.options.verbose) return this.verbose(line);
    if (!this.interactive || !stage) return;
    const now = Date.now();
    const done = this.status ? [...this.status.stages, `${this.status.text} ${((now - this.status.stageStarted) / 1000).toFixed(1)}s`] : [];
    this.status = { text: line, stages: done, stageStarted: now };
    this.io.stderr(`\r\x1b[K${this.command}: ${line}…${done.length ? ` (${done.join(', ')})` : ''}`);
  }

  problem(line: string): void {
    if (this.logger) return void this.logger.warn(line);
    this.clearStatus();
    this.io.stderr(`${line}\n`);
  }

  diagnostics(list: readonly Diagnostic[]): void {
    for (const d of list) {
      if (d.severity === 'warning' && this.options.quiet) continue;
      if (this.logger) {
        this.logger[d.severity === 'error' ? 'error' : 'warn']({ diagnostic: d }, formatDiagnostic(d));
        continue;
      }
      this.clearStatus();
      this.io.stderr(`${formatDiagnostic(d)}\n`);
    }
  }

  /** Clears the status line (the command is done, or something else is printed). */
  finish(): void {
    this.clearStatus();
  }

  private clearStatus(): void {
    if (!this.status) return;
    this.status = undefined;
    this.io.stderr('\r\x1b[K');
  }

  /** `[12:00:01.250 +0.418s]`: the time, and how long since the previous stamped line (the previous step's duration). */
  private stamp(): string {
    const now = Date.now();
    const took = (now - this.lastStamp) / 1000;
    this.lastStamp = now;
    return `[${new Date(now).toISOString().slice(11, 23)} +${took.toFixed(3)}s]`;
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
