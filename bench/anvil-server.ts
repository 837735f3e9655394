// Starts a private Anvil for the no-argument `npm run bench`: fresh SQLite file in a temp dir, free port,
// built from the current tree. The server runs as a separate process, exactly as an operator would run it.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface RunningServer {
  readonly endpoint: string;
  /** Process id of the server (its CPU time and RSS are read from /proc). */
  readonly pid: number;
  readonly logFile: string;
  /** Counts of warn/error log lines so far: a 2xx-only run can still hide server-side trouble. */
  logProblems(): { readonly warn: number; readonly error: number; readonly samples: readonly string[] };
  /** Stops the process; removes the temp dir unless `keepFiles` (kept for post-mortems after failures). */
  stop(keepFiles: boolean): Promise<void>;
}

function newestMtime(dir: string, accept: (name: string) => boolean): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !accept(entry.name)) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Runs `npm run build` when dist/ is missing or older than any non-test source file. */
export function ensureBuilt(progress: (line: string) => void): void {
  const entry = join(REPO_ROOT, 'dist', 'cli', 'anvil.js');
  const srcNewest = newestMtime(join(REPO_ROOT, 'src'), (n) => n.endsWith('.ts') && !n.endsWith('.test.ts'));
  const distNewest = newestMtime(join(REPO_ROOT, 'dist'), (n) => n.endsWith('.js'));
  if (existsSync(entry) && distNewest >= srcNewest) return;
  progress(existsSync(entry) ? 'dist/ is older than src/: running npm run build' : 'dist/ missing: running npm run build');
  // stdout of the build goes to our stderr so a piped Markdown table stays clean.
  const build = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', process.stderr, process.stderr] });
  if (build.status !== 0) throw new Error(`npm run build failed (exit ${build.status}); fix the build or pass --skip-build`);
  if (!existsSync(entry)) throw new Error(`npm run build succeeded but ${entry} does not exist`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitReady(endpoint: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`anvil exited (${child.exitCode ?? child.signalCode}) before answering GET /v1; log tail:\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(`${endpoint}/v1`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`anvil did not answer GET /v1 within ${timeoutMs} ms; log tail:\n${tail(logFile)}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface StartOptions {
  /** Flags for node itself, e.g. `--cpu-prof` (bench/profile.ts). */
  readonly nodeArgs?: readonly string[];
  /** Database URL; default BENCH_DATABASE_URL or a fresh SQLite file in the temp dir. */
  readonly databaseUrl?: string;
  /** Working directory of the server (where `--cpu-prof` writes); default the temp dir. */
  readonly cwd?: string;
  /** Another build to run (a directory holding bin/ and dist/, e.g. a copy of the tree before a change). */
  readonly root?: string;
  /** A command the server runs under, e.g. valgrind (bench/profile.ts --instructions). */
  readonly wrapper?: readonly string[];
  /** How long start-up may take (default 30 s; far longer under valgrind). */
  readonly readyTimeoutMs?: number;
}

export async function startAnvil(progress: (line: string) => void, opts: StartOptions = {}): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'anvil-bench-'));
  const logFile = join(dir, 'anvil.log');
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  // The log goes straight to a file: piping it through this process would steal CPU from the load generator.
  const logFd = openSync(logFile, 'a');
  const [command, ...prefix] = [...(opts.wrapper ?? []), process.execPath];
  const child = spawn(command!, [
    ...prefix,
    ...(opts.nodeArgs ?? []),
    // BENCH_NODE_ARGS: more flags for the server's node in any bench, e.g. "--trace-gc --cpu-prof" (output in its log/cwd).
    ...(process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
    join(opts.root ?? REPO_ROOT, 'bin', 'anvil.js'), 'serve',
    // BENCH_DATABASE_URL: an existing (empty) database instead, e.g. postgresql://postgres@127.0.0.1:5432/anvil_bench.
    '--host', '127.0.0.1', '--port', String(port),
    '--database-url', opts.databaseUrl ?? (process.env.BENCH_DATABASE_URL || `sqlite://${join(dir, 'bench.db')}`),
  ], { cwd: opts.cwd ?? dir, stdio: ['ignore', logFd, logFd] });
  progress(`started anvil (pid ${child.pid}) on ${endpoint}, log ${logFile}`);
  try {
    await waitReady(endpoint, child, logFile, opts.readyTimeoutMs ?? 30_000);
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return {
    endpoint,
    pid: child.pid!,
    logFile,
    logProblems() {
      const lines = readFileSync(logFile, 'utf8').split('\n');
      const warn = lines.filter((l) => l.includes('"level":"warn"'));
      const error = lines.filter((l) => l.includes('"level":"error"'));
      return { warn: warn.length, error: error.length, samples: [...error, ...warn].slice(0, 3).map((l) => l.slice(0, 400)) };
    },
    async stop(keepFiles: boolean) {
      await stopChild(child);
      if (!keepFiles) rmSync(dir, { recursive: true, force: true });
    },
  };
}
