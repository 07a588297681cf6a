import cliProgress from 'cli-progress';

export interface SyncProgress {
  tick(records: number): void;
  stop(): void;
}

/** Starts progress for one sync of `total` records. */
export type ProgressFactory = (sync: string, total: number) => SyncProgress;

export const noProgress: ProgressFactory = () => ({ tick: () => undefined, stop: () => undefined });

const PLAIN_EVERY_MS = 5_000;

/**
 * A progress bar on stderr when it is a terminal; otherwise a plain line when a sync starts and
 * one every few seconds while it runs (cron and CI logs stay readable).
 */
export function progressFactory(options: { readonly interactive: boolean; readonly line: (text: string) => void }): ProgressFactory {
  return (sync, total) => {
    if (total === 0) return { tick: () => undefined, stop: () => undefined };
    if (options.interactive) {
      const bar = new cliProgress.SingleBar(
        { format: `${sync} [{bar}] {value}/{total} records | {duration_formatted}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
      return { tick: (n) => bar.increment(n), stop: () => bar.stop() };
    }
    let done = 0;
    let lastLine = Date.now();
    options.line(`${sync}: sending ${total.toLocaleString('en-US')} records`);
    return {
      tick(n) {
        done += n;
        if (Date.now() - lastLine >= PLAIN_EVERY_MS && done < total) {
          lastLine = Date.now();
          options.line(`${sync}: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} records`);
        }
      },
      stop: () => undefined,
    };
  };
}
