// `anvil db-migrate`: bring a database's schema up to date without starting the service.
import type { Command } from 'commander';
import { openStore, migrateToLatest } from '../../db/database.js';
import { addSettingFlags, configFromOptions } from './settings-options.js';

export function registerDbMigrate(program: Command): void {
  addSettingFlags(program.command('db-migrate').description('Apply pending database migrations and exit'))
    .action(async (opts: Record<string, unknown>) => {
      const config = configFromOptions(opts);
      const store = await openStore(config.databaseUrl, { migrate: false });
      try {
        const applied = await migrateToLatest(store);
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
      } finally {
        await store.close();
      }
    });
}
