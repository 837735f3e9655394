// Runs one of the configured shell commands (power off, reboot) and the diagnostics of log collection.
import { spawn } from 'node:child_process';

export interface ShellResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `sh -c command`, output captured (bounded), never throwing: a missing tool is a result with code null. */
export function runShell(command: string, timeoutMs = 60_000): Promise<ShellResult> {
  return runArgv('/bin/sh', ['-c', command], timeoutMs);
}

export function runArgv(cmd: string, args: readonly string[], timeoutMs = 60_000): Promise<ShellResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const cap = (s: string, add: string) => (s.length > 4 * 2 ** 20 ? s : s + add);
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout = cap(stdout, s)));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr = cap(stderr, s)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: stderr + err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
