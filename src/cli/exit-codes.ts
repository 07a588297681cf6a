/** The exit codes of every command: docs/exit-codes.md (`4`: a gate held every sync before anything was sent, docs/identity-gate.md). */
export const ExitCode = {
  ok: 0,
  runFailed: 1,
  invalid: 2,
  rejected: 3,
  gateHeld: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
