// `anvil rekey` is crash safe: a real `anvil rekey` process is killed with SIGKILL at random moments while it
// re-encrypts the secrets of 80 nodes, per store; after each kill every secret must be readable with exactly
// one of the two keys (the rotation is one transaction: all old or all new), and a final uninterrupted rekey
// must give back every original password. About 20 s per store.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/common/secrets.js';
import { openStore } from '../../src/db/database.js';
import { tables } from '../../src/db/tables.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { startAnvilProcess } from '../support/anvil-process.js';

const KILLS = Number(process.env.REKEY_KILLS ?? 6);
const NODES = 80;
const ANVIL = resolve('bin/anvil.js');
const KEYS = [SecretBox.generateKey(), SecretBox.generateKey()] as const;

/** Which key opens every node's secrets: 0, 1, or -1 if neither does (a torn rotation). */
async function readableWith(url: string, expected: Map<string, string>): Promise<number> {
  for (const k of [0, 1]) {
    const store = await openStore(url, { secretBox: new SecretBox(KEYS[k]!), migrate: false });
    try {
      const nodes = await tables(store).nodes.list();
      if (nodes.length === expected.size && nodes.every((n) => n.driverInfo.ipmi_password === expected.get(n.uuid))) return k;
    } catch {
      // values under the other key: try it
    } finally {
      await store.close();
    }
  }
  return -1;
}

describe.each(DIALECTS)('anvil rekey killed mid-way (%s)', (dialect) => {
  let db: TestDatabase | undefined;
  let stateDir = '';
  afterAll(async () => {
    await db?.drop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it(`leaves every secret readable with one of the two keys across ${KILLS} kills`, async () => {
    db = await createTestDatabase(dialect);
    stateDir = mkdtempSync(join(tmpdir(), 'anvil-rekey-'));
    const keyFile = (k: number) => {
      const f = join(stateDir, `key-${k}`);
      writeFileSync(f, KEYS[k]!, { mode: 0o600 });
      return f;
    };
    const anvil = await startAnvilProcess(dialect, { reuse: { databaseUrl: db.url, stateDir }, args: ['--encryption-key-file', keyFile(0)], readyTimeoutMs: 60_000 });
    const expected = new Map<string, string>();
    try {
      for (let i = 0; i < NODES; i++) {
        const password = `rekey-Pw-${i}-${Math.random().toString(36).slice(2)}`;
        const res = await fetch(`${anvil.url}/v1/nodes`, {
          method: 'POST', headers: { 'Content-Type': 'application/json', 'X-OpenStack-Ironic-API-Version': 'latest' },
          body: JSON.stringify({ driver: 'fake-hardware', driver_info: { ipmi_password: password, ipmi_address: `10.9.${i >> 8}.${i & 255}` } }),
        });
        expect(res.status).toBe(201);
        expected.set(((await res.json()) as { uuid: string }).uuid, password);
      }
    } finally {
      await anvil.stop();
    }
    let current = 0;
    let completed = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const child = spawn(process.execPath, [ANVIL, 'rekey', '--database-url', db.url, '--state-dir', stateDir,
        '--encryption-key-file', keyFile(current), '--new-key-file', keyFile(1 - current)], { stdio: ['ignore', 'pipe', 'ignore'] });
      const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
      // Kill inside the rotation: after it announces its transaction, anywhere up to well past its commit.
      let timer: NodeJS.Timeout | undefined;
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        if (d.includes('in one transaction') && !timer) timer = setTimeout(() => child.kill('SIGKILL'), Math.random() * (kill % 2 ? 300 : 3000));
      });
      const code = await exited;
      clearTimeout(timer);
      const now = await readableWith(db.url, expected);
      expect(now, `after kill ${kill} (exit ${code}) the secrets must open with one key`).not.toBe(-1);
      if (code === 0) expect(now).toBe(1 - current);
      if (now !== current) completed++;
      current = now;
    }
    // A full run from whatever key is current completes and keeps every password.
    await new Promise<void>((res, rej) => execFile(process.execPath, [ANVIL, 'rekey', '--database-url', db!.url, '--state-dir', stateDir,
      '--encryption-key-file', keyFile(current), '--new-key-file', keyFile(1 - current)], (err) => (err ? rej(err) : res())));
    expect(await readableWith(db.url, expected)).toBe(1 - current);
    console.log(`rekey-crash (${dialect}): ${KILLS} kills, ${completed} rotations completed before their kill, never torn`);
  }, 180_000);
});
