// Allocations (API 1.52), volume connectors and targets (1.32) and deploy templates (1.55).
// Deploy template steps live in a JSON column of their template rather than a table of their own: they are only
// ever read and replaced together with it.
import type { CreateTableBuilder, Kysely } from 'kysely';
import type { DialectFlags } from '../dialects/dialect-flags.js';
import type { SchemaMigration } from './index.js';

function withId(t: CreateTableBuilder<string, never>, flags: DialectFlags) {
  return t.addColumn('id', flags.serialType, (c) => (flags.needsAutoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()));
}

const json = (t: CreateTableBuilder<string, any>, name: string, empty = '{}') =>
  t.addColumn(name, 'text', (c) => c.notNull().defaultTo(empty));

const timestamps = (t: CreateTableBuilder<string, any>) =>
  t.addColumn('created_at', 'varchar(40)', (c) => c.notNull()).addColumn('updated_at', 'varchar(40)');

export const allocationsVolumeTemplates: SchemaMigration = {
  name: '0005-allocations-volume-templates',
  async up(db: Kysely<any>, flags: DialectFlags) {
    let allocations = withId(db.schema.createTable('allocations'), flags)
      .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
      .addColumn('name', 'varchar(255)', (c) => c.unique())
      .addColumn('node_uuid', 'varchar(36)')
      .addColumn('state', 'varchar(15)', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('resource_class', 'varchar(80)')
      .addColumn('owner', 'varchar(255)');
    allocations = json(json(json(allocations, 'traits', '[]'), 'candidate_nodes', '[]'), 'extra');
    await timestamps(allocations).execute();
    await db.schema.createIndex('allocations_node_uuid_idx').on('allocations').column('node_uuid').execute();
    await db.schema.createIndex('allocations_state_idx').on('allocations').column('state').execute();

    // (type, connector_id) and (node_uuid, boot_index) are unique as in Ironic; the names let the PostgreSQL
    // duplicate-key error be told apart from a duplicate UUID.
    await timestamps(json(withId(db.schema.createTable('volume_connectors'), flags)
      .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
      .addColumn('node_uuid', 'varchar(36)', (c) => c.notNull())
      .addColumn('type', 'varchar(32)', (c) => c.notNull())
      .addColumn('connector_id', 'varchar(255)', (c) => c.notNull()), 'extra'))
      .addUniqueConstraint('volume_connectors_type_connector_id_key', ['type', 'connector_id'])
      .execute();
    await db.schema.createIndex('volume_connectors_node_uuid_idx').on('volume_connectors').column('node_uuid').execute();

    await timestamps(json(json(withId(db.schema.createTable('volume_targets'), flags)
      .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
      .addColumn('node_uuid', 'varchar(36)', (c) => c.notNull())
      .addColumn('volume_type', 'varchar(64)', (c) => c.notNull())
      .addColumn('boot_index', 'integer', (c) => c.notNull())
      .addColumn('volume_id', 'varchar(36)', (c) => c.notNull()), 'properties'), 'extra'))
      .addUniqueConstraint('volume_targets_node_uuid_boot_index_key', ['node_uuid', 'boot_index'])
      .execute();

    await timestamps(json(json(withId(db.schema.createTable('deploy_templates'), flags)
      .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
      .addColumn('name', 'varchar(255)', (c) => c.notNull().unique())
      .addColumn('description', 'varchar(255)'), 'steps', '[]'), 'extra'))
      .execute();
  },
  async down(db: Kysely<any>) {
    for (const t of ['deploy_templates', 'volume_targets', 'volume_connectors', 'allocations']) await db.schema.dropTable(t).execute();
  },
};
