// Anvil as a real child process (`node bin/anvil.js serve --port 0`) on a fresh SQLite file or PostgreSQL
// database, for integration tests that must go through a socket: waits for the "serving" line, keeps every
// stderr log line (tests check secrets never reach the log), and kills the process on stop or at exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type Dialect } from './databases.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const LAUNCHER = join(ROOT, 'bin', 'anvil.js');
const COMPILED = join(ROOT, 'dist', 'cli', 'anvil.js');
const SERVING_RE = /Anvil is serving the bare metal API on (https?:\/\/\S+)/;

export interface AnvilProcessOptions {
  /** Extra `serve` flags, e.g. ['--max-body-bytes', '65536']. */
  readonly args?: readonly string[];
  /** How long to wait for the "serving" line (default 15 s). */
  readonly readyTimeoutMs?: number;
  /** Conductor hostname to register (default `anvil-it-<dialect>`). */
  readonly conductorHostname?: string;
  /** Serve an existing database and state dir (a restart after a crash), on a fixed port if given; they are not removed on stop. */
  readonly reuse?: { readonly databaseUrl: string; readonly stateDir: string; readonly port?: number };
}

export interface AnvilProcess {
  readonly url: string;
  readonly dialect: Dialect;
  readonly pid: number;
  readonly conductorHostname: string;
  /** The database the process serves (tests that play the conductor read node secrets from it). */
  readonly databaseUrl: string;
  readonly stateDir: string;
  /** kill -9, keeping database and state dir for a restart with `reuse`. */
  crash(): Promise<void>;
  /** SIGTERM and wait for the exit (no SIGKILL): the exit code; database and state dir stay until stop(). */
  terminate(): Promise<number | null>;
  /** Every line the process wrote to stderr so far (its structured log). */
  logLines(): string[];
  /** Everything written to stdout so far. */
  stdout(): string;
  /** True while the process has not exited. */
  running(): boolean;
  /** SIGTERM, then SIGKILL after 5 s; drops the database and temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort if a test file forgets stop(): never leave servers behind the test worker.
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

function tail(lines: readonly string[], n = 30): string {
  return lines.slice(-n).join('\n') || '(nothing)';
}

export async function startAnvilProcess(dialect: Dialect, options: AnvilProcessOptions = {}): Promise<AnvilProcess> {
  if (!existsSync(COMPILED)) {
    throw new Error(`${COMPILED} is missing: run \`npm run build\` before the integration tests (the test script does).`);
  }
  installExitHook();
  const db = options.reuse ? { url: options.reuse.databaseUrl, drop: async () => undefined } : await createTestDatabase(dialect);
  const stateDir = options.reuse?.stateDir ?? mkdtempSync(join(tmpdir(), 'anvil-proc-'));
  const conductorHostname = options.conductorHostname ?? `anvil-it-${dialect}`;
  const args = [LAUNCHER, 'serve', '--host', '127.0.0.1', '--port', String(options.reuse?.port ?? 0), '--database-url', db.url,
    '--state-dir', stateDir, '--conductor-hostname', conductorHostname, ...(options.args ?? [])];
  const env: NodeJS.ProcessEnv = {};
  // Only the basics: no ANVIL_* settings of the developer's shell may leak into the server under test.
  for (const k of ['PATH', 'HOME', 'LANG', 'TZ', 'SYSTEMROOT']) if (process.env[k] !== undefined) env[k] = process.env[k];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);

  const logLines: string[] = [];
  let stdout = '';
  let errPartial = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (errPartial + chunk).split('\n');
    errPartial = parts.pop() ?? '';
    logLines.push(...parts.filter((l) => l !== ''));
  });
  const exited = new Promise<void>((res) => child.once('close', () => {
    if (errPartial) logLines.push(errPartial);
    errPartial = '';
    live.delete(child);
    res();
  }));

  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await db.drop().catch(() => undefined);
    if (!options.reuse) rmSync(stateDir, { recursive: true, force: true });
  };

  const timeoutMs = options.readyTimeoutMs ?? 15_000;
  let url: string;
  try {
    url = await new Promise<string>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`Anvil did not report "serving" within ${timeoutMs} ms`)), timeoutMs);
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const m = SERVING_RE.exec(stdout);
        if (m) {
          clearTimeout(timer);
          res(m[1]!);
        }
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        rej(new Error(`Anvil exited before serving (code ${code}, signal ${signal})`));
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        rej(err);
      });
    });
  } catch (err) {
    await cleanup();
    throw new Error(`${(err as Error).message}\ncommand: node ${args.join(' ')}\nstdout:\n${stdout || '(nothing)'}\nstderr tail:\n${tail(logLines)}`);
  }

  return {
    url,
    dialect,
    pid: child.pid!,
    conductorHostname,
    databaseUrl: db.url,
    logLines: () => [...logLines],
    stdout: () => stdout,
    running: () => child.exitCode === null && child.signalCode === null,
    stateDir,
    async crash() {
      cleaned = true;
      child.kill('SIGKILL');
      await exited;
    },
    async terminate() {
      child.kill('SIGTERM');
      await exited;
      return child.exitCode;
    },
    stop: cleanup,
  };
}
