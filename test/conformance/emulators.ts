/**
 * Local BigQuery / Snowflake emulators for the warehouse conformance tests.
 *
 *  - BigQuery:  `bqemulator` (REST API, DuckDB + sqlglot underneath)
 *  - Snowflake: `fakesnow` HTTP server (the endpoints the drivers use, DuckDB underneath)
 *
 * Both are Python packages, installed by `scripts/install-emulators.sh` into
 * `.venv/emulators/{bigquery,snowflake}` (separate venvs: they pin conflicting sqlglot).
 * Each emulator runs as a child process of the test process (via
 * `emulator_launcher.py`), bound to 127.0.0.1 on a port the OS picks, and exits
 * when `stop()` is called or when the test process dies (its stdin closes).
 *
 * Python: see `emulatorPython()` (default `<repo>/.venv/emulators/<kind>/bin/python`).
 *
 * Skipping: call `emulatorGate()` at the top of a test file and use
 * `describe.skipIf(!gate.bigquery.ok)`. When emulators are not installed, the
 * tests skip with the reason printed once; when `CI=true` a missing emulator
 * throws instead, so CI can never go green by silently skipping.
 *
 * See docs/warehouse-emulators.md for client connection recipes and
 * test/conformance/EMULATOR_GAPS.md for what the emulators get wrong.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type EmulatorKind = 'bigquery' | 'snowflake';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '..', '..');
const LAUNCHER = join(HERE, 'emulator_launcher.py');
const DEFAULT_START_TIMEOUT_MS = 60_000;

/**
 * Which Python interpreter runs an emulator. First match wins:
 *   $CDP_BIGQUERY_EMULATOR_PYTHON / $CDP_SNOWFLAKE_EMULATOR_PYTHON  (one emulator)
 *   $CDP_EMULATOR_PYTHON                                            (both)
 *   <repo>/.venv/emulators/<kind>/bin/python   (scripts/install-emulators.sh)
 *   <repo>/.venv/bin/python
 *   python3
 * The two emulators need different sqlglot versions, so a single interpreter
 * for both only works with older, less faithful bqemulator (see the script).
 */
export function emulatorPython(kind: EmulatorKind): string {
  const specific = process.env[kind === 'bigquery' ? 'CDP_BIGQUERY_EMULATOR_PYTHON' : 'CDP_SNOWFLAKE_EMULATOR_PYTHON'];
  if (specific && specific.trim() !== '') return specific;
  const shared = process.env.CDP_EMULATOR_PYTHON;
  if (shared && shared.trim() !== '') return shared;
  for (const candidate of [join(REPO_ROOT, '.venv', 'emulators', kind, 'bin', 'python'), join(REPO_ROOT, '.venv', 'bin', 'python')]) {
    if (existsSync(candidate)) return candidate;
  }
  return 'python3';
}

export interface EmulatorStatus {
  ok: boolean;
  /** Human-readable reason when !ok (what is missing and how to install it). */
  reason: string;
  /** Installed package versions, e.g. { bqemulator: '1.4.0' }. */
  versions: Record<string, string>;
  python: string;
}

export interface EmulatorAvailability {
  bigquery: EmulatorStatus;
  snowflake: EmulatorStatus;
}

const INSTALL_HINT =
  'run `bash scripts/install-emulators.sh` (or point CDP_BIGQUERY_EMULATOR_PYTHON / CDP_SNOWFLAKE_EMULATOR_PYTHON / CDP_EMULATOR_PYTHON at a Python that has them)';

async function checkOne(kind: EmulatorKind, python: string): Promise<EmulatorStatus> {
  const res = await new Promise<{ error?: Error; status: number | null; stdout: string; stderr: string }>((done) => {
    execFile(python, [LAUNCHER, 'check', kind], { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      // A non-zero exit is still an answer (its JSON says what is missing); only failing to run is an error.
      const exitCode = (error as { code?: unknown } | null)?.code;
      if (error && typeof exitCode !== 'number') done({ error, status: null, stdout, stderr });
      else done({ status: typeof exitCode === 'number' ? exitCode : 0, stdout, stderr });
    });
  });
  if (res.error) {
    return {
      ok: false,
      reason: `${kind} emulator unavailable: cannot run ${python} (${res.error.message}); ${INSTALL_HINT}`,
      versions: {},
      python,
    };
  }
  const line = lastJsonLine(res.stdout ?? '');
  if (!line) {
    return {
      ok: false,
      reason: `${kind} emulator unavailable: ${python} ${LAUNCHER} check failed (exit ${res.status}): ${(res.stderr ?? '').slice(-500)}; ${INSTALL_HINT}`,
      versions: {},
      python,
    };
  }
  const errors = (line.errors ?? {}) as Record<string, string>;
  const ok = line.ok === true;
  return {
    ok,
    reason: ok
      ? ''
      : `${kind} emulator unavailable with ${python}: ${Object.entries(errors)
          .map(([k, v]) => `${k} (${v})`)
          .join(', ')}; ${INSTALL_HINT}`,
    versions: (line.versions ?? {}) as Record<string, string>,
    python,
  };
}

let availabilityCache: EmulatorAvailability | undefined;

/**
 * Whether each emulator is installed and importable. Never throws; cached per process.
 * (Takes ~2 s the first time: it imports the Python packages, both in parallel.)
 */
export async function emulatorsAvailable(): Promise<EmulatorAvailability> {
  if (availabilityCache) return availabilityCache;
  const [bigquery, snowflake] = await Promise.all([
    checkOne('bigquery', emulatorPython('bigquery')),
    checkOne('snowflake', emulatorPython('snowflake')),
  ]);
  availabilityCache = { bigquery, snowflake };
  return availabilityCache;
}

/** True when running under CI (`CI=true`), where missing emulators are a failure. */
export function emulatorsRequired(): boolean {
  return process.env.CI === 'true' || process.env.CDP_REQUIRE_EMULATORS === '1';
}

/**
 * For test files: availability of the given emulators, throwing when CI requires
 * them and they are missing, otherwise logging why the tests will be skipped.
 *
 *   const gate = await emulatorGate('bigquery');
 *   describe.skipIf(!gate.bigquery.ok)('bigquery conformance', () => { ... });
 */
export async function emulatorGate(...kinds: EmulatorKind[]): Promise<EmulatorAvailability> {
  const avail = await emulatorsAvailable();
  const wanted: EmulatorKind[] = kinds.length > 0 ? kinds : ['bigquery', 'snowflake'];
  const missing = wanted.filter((k) => !avail[k].ok);
  if (missing.length > 0) {
    const reasons = missing.map((k) => avail[k].reason).join('\n');
    if (emulatorsRequired()) {
      throw new Error(`Warehouse emulators are required in CI but missing:\n${reasons}`);
    }
    if (!gateWarned.has(reasons)) {
      gateWarned.add(reasons);
      console.warn(`[conformance] skipping emulator tests:\n${reasons}`);
    }
  }
  return avail;
}
const gateWarned = new Set<string>();

export interface RunningEmulator {
  kind: EmulatorKind;
  /** Base URL of the HTTP endpoint, e.g. http://127.0.0.1:41234 */
  url: string;
  host: string;
  port: number;
  pid: number;
  /** Emulator package version (bqemulator / fakesnow). */
  version: string;
  /** Last ~64 KiB of the emulator's stderr, for diagnosing failures. */
  logs(): string;
  /** Terminates the process (SIGTERM, then SIGKILL after 5 s). Idempotent. */
  stop(): Promise<void>;
}

export interface BigQueryEmulator extends RunningEmulator {
  kind: 'bigquery';
  projectId: string;
  /** Pass as `apiEndpoint` to `new BigQuery({...})`. Same as `url`. */
  apiEndpoint: string;
  /** Storage Read/Write gRPC API (not used by the REST client). */
  grpcPort: number;
}

export interface SnowflakeEmulator extends RunningEmulator {
  kind: 'snowflake';
  /** Pass as `accessUrl` to `snowflake.createConnection({...})`. Same as `url`. */
  accessUrl: string;
  account: string;
  username: string;
  password: string;
}

export interface StartOptions {
  /** Milliseconds to wait for readiness (default 60 s). */
  timeoutMs?: number;
  /** Extra environment for the emulator process (e.g. CDP_EMULATOR_LOG_LEVEL=info). */
  env?: Record<string, string>;
}

export interface BigQueryStartOptions extends StartOptions {
  /** Default project id (any string works; datasets are created under whatever project the client names). */
  projectId?: string;
}

export async function startBigQueryEmulator(opts: BigQueryStartOptions = {}): Promise<BigQueryEmulator> {
  const projectId = opts.projectId ?? 'cdp-test';
  const { ready, handle } = await launch('bigquery', ['--host', '127.0.0.1', '--project', projectId], opts);
  return {
    ...handle,
    kind: 'bigquery',
    projectId: String(ready.projectId ?? projectId),
    apiEndpoint: handle.url,
    grpcPort: Number(ready.grpcPort),
  };
}

export async function startSnowflakeEmulator(opts: StartOptions = {}): Promise<SnowflakeEmulator> {
  const { handle } = await launch('snowflake', ['--host', '127.0.0.1'], opts);
  return {
    ...handle,
    kind: 'snowflake',
    accessUrl: handle.url,
    // fakesnow accepts any credentials; these match its Python fixture.
    account: 'fakesnow',
    username: 'fake',
    password: 'snow',
  };
}

// ---------------------------------------------------------------------------

type Json = Record<string, unknown>;

function lastJsonLine(text: string): Json | undefined {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{'));
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      return JSON.parse(lines[i]!) as Json;
    } catch {
      /* not ours */
    }
  }
  return undefined;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Belt and braces: the launcher also exits when its stdin closes.
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

async function launch(
  kind: EmulatorKind,
  args: string[],
  opts: StartOptions,
): Promise<{ ready: Json; handle: Omit<RunningEmulator, 'kind'> & { kind: EmulatorKind } }> {
  const python = emulatorPython(kind);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const child = spawn(python, [LAUNCHER, kind, ...args], {
    cwd: REPO_ROOT,
    // stdin stays an open pipe: the launcher exits when it closes (we died).
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1', ...opts.env },
  });
  running.add(child);
  installExitHook();

  let stderr = '';
  const MAX_LOG = 64 * 1024;
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    stderr = (stderr + d).slice(-MAX_LOG);
  });

  let exited = false;
  const exitPromise = new Promise<void>((res) => {
    child.once('exit', () => {
      exited = true;
      running.delete(child);
      res();
    });
  });

  const stop = async (): Promise<void> => {
    if (exited) return;
    child.stdin?.end();
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (!exited) child.kill('SIGKILL');
    }, 5_000);
    await exitPromise;
    clearTimeout(timer);
  };

  const ready = await new Promise<Json>((res, rej) => {
    let stdout = '';
    const fail = (msg: string): void => {
      cleanup();
      void stop();
      rej(new Error(`${kind} emulator failed to start: ${msg}\n--- emulator stderr (tail) ---\n${stderr.slice(-4000)}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
    const onData = (d: string): void => {
      stdout += d;
      let nl: number;
      while ((nl = stdout.indexOf('\n')) >= 0) {
        const line = stdout.slice(0, nl).trim();
        stdout = stdout.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        let msg: Json;
        try {
          msg = JSON.parse(line) as Json;
        } catch {
          continue;
        }
        if (msg.ready === true) {
          cleanup();
          res(msg);
          return;
        }
        if (msg.ready === false) {
          fail(String(msg.error ?? 'launcher reported failure'));
          return;
        }
      }
    };
    const onExit = (code: number | null, signal: string | null): void =>
      fail(`process exited (code ${code}, signal ${signal}) before becoming ready`);
    const onError = (err: Error): void => fail(`cannot spawn ${python}: ${err.message}`);
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
  // Keep draining stdout so the child never blocks on a full pipe.
  child.stdout!.resume();

  const host = String(ready.host ?? '127.0.0.1');
  const port = Number(ready.port);
  return {
    ready,
    handle: {
      kind,
      url: `http://${host}:${port}`,
      host,
      port,
      pid: child.pid!,
      version: String(ready.version ?? ''),
      logs: () => stderr,
      stop,
    },
  };
}
