// `anvil rekey`: re-encrypt every stored secret with a new key (or encrypt plain ones for the first time).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError } from '../../common/config.js';
import { SecretBox } from '../../common/secrets.js';
import { openStore } from '../../db/database.js';
import { tables } from '../../db/tables.js';
import { addSettingFlags, configFromOptions } from './settings-options.js';

export function registerRekey(program: Command): void {
  addSettingFlags(program.command('rekey')
    .description('Re-encrypt stored secrets with a new key (the old one from ANVIL_ENCRYPTION_KEY or --encryption-key-file, none if unset)'))
    .option('--new-key-file <file>', 'file holding the new 32-byte key, base64 (see `anvil generate-key`)')
    // Known to the parser only to explain why it is refused (a key in argv shows in the process list).
    .option('--new-key <base64>', 'refused: use --new-key-file')
    .action(async (opts: Record<string, unknown>) => {
      if (opts.newKey !== undefined) {
        throw new ConfigError('--new-key is refused: a key on the command line is visible to every user in the process list and stays in the shell history. ' +
          'Put the new key in a file only you can read and pass --new-key-file FILE.');
      }
      if (typeof opts.newKeyFile !== 'string') throw new ConfigError('the new key is missing: pass --new-key-file FILE (create one with `anvil generate-key > FILE`)');
      const config = configFromOptions(opts);
      const oldBox = config.encryptionKey ? new SecretBox(config.encryptionKey) : null;
      let newKey: string;
      try {
        newKey = readFileSync(opts.newKeyFile, 'utf8').trim();
      } catch (err) {
        throw new ConfigError(`--new-key-file ${opts.newKeyFile} cannot be read: ${(err as Error).message}`);
      }
      const newBox = new SecretBox(newKey);
      const count = await rekeyStore(config.databaseUrl, oldBox, newBox, (n) => process.stdout.write(`re-encrypting the secrets of ${n} node(s) in one transaction\n`));
      process.stdout.write(`re-encrypted the secrets of ${count} node(s) with key ${newBox.keyId}\n`);
    });
  program.command('generate-key').description('Print a new random encryption key (base64)')
    .action(() => {
      process.stdout.write(SecretBox.generateKey() + '\n');
    });
}

/**
 * Reads each node with the old key and writes it back with the new one, one transaction for all: a crash
 * part-way leaves every secret under the old key, never a mix (test/integration/rekey-crash.test.ts).
 */
export async function rekeyStore(databaseUrl: string, oldBox: SecretBox | null, newBox: SecretBox, onStart?: (nodes: number) => void): Promise<number> {
  const oldStore = await openStore(databaseUrl, { secretBox: oldBox });
  const newStore = { ...oldStore, secretBox: newBox };
  try {
    const oldNodes = tables(oldStore).nodes;
    const newNodes = tables(newStore).nodes;
    // Decrypt everything before the transaction: SQLite has one connection, held by the transaction.
    const all = await oldNodes.list();
    onStart?.(all.length);
    return await oldStore.db.transaction().execute(async (trx) => {
      for (const n of all) {
        await newNodes.update(n.id, { driverInfo: n.driverInfo, instanceInfo: n.instanceInfo, driverInternalInfo: n.driverInternalInfo }, [], trx);
      }
      return all.length;
    });
  } finally {
    await oldStore.close();
  }
}
