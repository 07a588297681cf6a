/** The exit codes of every command: docs/exit-codes.md. */
export const ExitCode = {
  ok: 0,
  runFailed: 1,
  invalid: 2,
  rejected: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
