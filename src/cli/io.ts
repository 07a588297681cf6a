import { formatDiagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';

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
}

/** Human lines go to stderr when --json owns stdout; --quiet keeps only problems. */
export class Reporter {
  constructor(
    private readonly io: CliIO,
    private readonly options: GlobalOptions,
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

  /** The one machine-readable summary of a command, printed only with --json. */
  summary(value: unknown): void {
    if (this.options.json) this.io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  }
}
