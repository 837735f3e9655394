// The README's five-minute tour, run as written (bash, `npx baremetal` → the built client) against a real
// Anvil process whose database already holds someone else's node, which must come out untouched (the tour
// once renamed and deleted whatever `node list` showed first). One run only (each command is a process
// start); that a re-run cannot collide is checked on the script: no fixed names, no fixed MAC.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startAnvilProcess, type AnvilProcess } from '../support/anvil-process.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/** The shell block that follows the tour's heading in README.md. */
function tourScript(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## A five-minute tour'));
  const m = /```sh\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error('README.md has no shell block under "A five-minute tour"');
  return m[1]!;
}

function bash(script: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

describe.each(DIALECTS.slice(0, 1))('README tour (%s)', (dialect) => {
  let anvil: AnvilProcess;
  let shimDir: string;
  beforeAll(async () => {
    anvil = await startAnvilProcess(dialect);
    // `npx baremetal …` runs the built client directly: npx itself would add seconds per command.
    shimDir = mkdtempSync(join(tmpdir(), 'compat-tour-'));
    writeFileSync(join(shimDir, 'npx'), `#!/bin/sh\n[ "$1" = baremetal ] || exit 97\nshift\nexec "${process.execPath}" "${ROOT}bin/baremetal.js" "$@"\n`);
    chmodSync(join(shimDir, 'npx'), 0o755);
  }, 30_000);
  afterAll(async () => {
    await anvil?.stop();
    if (shimDir) rmSync(shimDir, { recursive: true, force: true });
  });

  it('runs on a database with another node, leaves that node alone, and holds nothing a re-run would collide with', async () => {
    const env = { PATH: `${shimDir}:${process.env.PATH}`, OS_ENDPOINT: anvil.url, OS_AUTH_TYPE: 'none', ANVIL_CLI_RETRY_DELAY_MS: '0', ANVIL_CLI_POLL_INTERVAL_MS: '200' };
    const api = (path: string, init?: RequestInit) => fetch(`${anvil.url}${path}`, { ...init, headers: { 'X-OpenStack-Ironic-API-Version': 'latest', 'Content-Type': 'application/json' } });
    const theirs = await (await api('/v1/nodes', { method: 'POST', body: JSON.stringify({ driver: 'fake-hardware', name: 'someone-elses' }) })).json() as { uuid: string };
    const script = tourScript();
    expect(script).not.toMatch(/--name|\| *head|port create [0-9a-f]{2}:/);
    const started = Date.now();
    const run = await bash(script, env);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    // validate as the README explains it: power passes without a BMC, boot names the file:// rule.
    expect(run.stdout).toMatch(/\| power\s+\| True /);
    expect(run.stdout).toMatch(/\| boot\s+\| False .*not inside a directory allowed for file:\/\/ images/);
    const nodes = (await (await api('/v1/nodes')).json() as { nodes: { uuid: string; name: string | null }[] }).nodes;
    expect(nodes).toEqual([expect.objectContaining({ uuid: theirs.uuid, name: 'someone-elses' })]);
    console.log(`[${dialect}] the tour took ${Date.now() - started} ms`);
  }, 240_000);
});
