// `anvil rekey`: re-encrypt every stored secret with a new key (or encrypt plain ones for the first time).
import type { Command } from 'commander';
import { SecretBox } from '../../common/secrets.js';
import { openStore } from '../../db/database.js';
import { tables } from '../../db/tables.js';
import { addSettingFlags, configFromOptions } from './settings-options.js';

export function registerRekey(program: Command): void {
  addSettingFlags(program.command('rekey').description('Re-encrypt stored secrets with a new key (the old one is --encryption-key, empty if none)'))
    .requiredOption('--new-key <base64>', 'new 32-byte key, base64 (see `anvil generate-key`)')
    .action(async (opts: Record<string, unknown>) => {
      const config = configFromOptions(opts);
      const oldBox = config.encryptionKey ? new SecretBox(config.encryptionKey) : null;
      const newBox = new SecretBox(String(opts.newKey));
      const count = await rekeyStore(config.databaseUrl, oldBox, newBox);
      process.stdout.write(`re-encrypted the secrets of ${count} node(s) with key ${newBox.keyId}\n`);
    });
  program.command('generate-key').description('Print a new random encryption key (base64)')
    .action(() => {
      process.stdout.write(SecretBox.generateKey() + '\n');
    });
}

/** Reads each node with the old key and writes it back with the new one, one transaction for all. */
export async function rekeyStore(databaseUrl: string, oldBox: SecretBox | null, newBox: SecretBox): Promise<number> {
  const oldStore = await openStore(databaseUrl, { secretBox: oldBox });
  const newStore = { ...oldStore, secretBox: newBox };
  try {
    const oldNodes = tables(oldStore).nodes;
    const newNodes = tables(newStore).nodes;
    // Decrypt everything before the transaction: SQLite has one connection, held by the transaction.
    const all = await oldNodes.list();
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
