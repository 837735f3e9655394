// Node history (API 1.78): errors and notable events per node, newest kept, removed with the node.
import type { Kysely } from 'kysely';
import type { DialectFlags } from '../dialects/dialect-flags.js';
import type { SchemaMigration } from './index.js';

export const nodeHistory: SchemaMigration = {
  name: '0003-node-history',
  async up(db: Kysely<any>, flags: DialectFlags) {
    await db.schema.createTable('node_history')
      .addColumn('id', flags.serialType, (c) => (flags.needsAutoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
      .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
      .addColumn('node_uuid', 'varchar(36)', (c) => c.notNull())
      .addColumn('severity', 'varchar(16)', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('event_type', 'varchar(255)')
      .addColumn('conductor', 'varchar(255)')
      .addColumn('user', 'varchar(255)')
      .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('node_history_node_uuid_idx').on('node_history').column('node_uuid').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('node_history').execute();
  },
};
