/** docs/identity-gate.md lists them all; `4`: a gate held every sync before anything was sent. */
export const ExitCode = {
  ok: 0,
  runFailed: 1,
  invalid: 2,
  rejected: 3,
  gateHeld: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
