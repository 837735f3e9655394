// `anvil rekey` as a process: the new key comes from a file; `--new-key KEY` is refused with the way to pass it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../common/secrets.js';

const dir = mkdtempSync(join(tmpdir(), 'anvil-rekey-'));
const anvil = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/anvil.ts', ...args],
  { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ANVIL_CONFIG: '', ANVIL_ENCRYPTION_KEY: '' } });

describe('anvil rekey', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses --new-key on the command line and takes the key from --new-key-file', () => {
    const key = SecretBox.generateKey();
    const refused = anvil('rekey', '--new-key', key, '--database-url', `sqlite://${join(dir, 'a.db')}`);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/--new-key is refused: .*process list.*--new-key-file FILE/);
    expect(refused.stderr).not.toContain(key);
    const file = join(dir, 'new.key');
    writeFileSync(file, key + '\n', { mode: 0o600 });
    const ok = anvil('rekey', '--new-key-file', file, '--database-url', `sqlite://${join(dir, 'a.db')}`);
    expect(ok.stderr).toBe('');
    // The first line announces the transaction (the crash test waits for it), the last one reports the result.
    expect(ok.stdout.trim().split('\n').at(-1)).toBe(`re-encrypted the secrets of 0 node(s) with key ${new SecretBox(key).keyId}`);
  }, 120_000);
});
