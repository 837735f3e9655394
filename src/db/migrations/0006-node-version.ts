// A row version on nodes, bumped by every update: caches of a node's serialised view key on it.
import type { Kysely } from 'kysely';
import type { SchemaMigration } from './index.js';

export const nodeVersion: SchemaMigration = {
  name: '0006-node-version',
  async up(db: Kysely<any>) {
    await db.schema.alterTable('nodes').addColumn('version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('nodes').dropColumn('version').execute();
  },
};
