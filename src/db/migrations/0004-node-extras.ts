// Node extras: cached BIOS settings with their registry fields (API 1.40/1.74), the inventory inspection
// stored (1.81) and firmware components (1.86). Each row belongs to one node (by UUID) and goes with it.
import type { Kysely } from 'kysely';
import type { DialectFlags } from '../dialects/dialect-flags.js';
import type { SchemaMigration } from './index.js';

const TABLES = ['bios_settings', 'node_inventory', 'firmware_components'] as const;

export const nodeExtras: SchemaMigration = {
  name: '0004-node-extras',
  async up(db: Kysely<any>, flags: DialectFlags) {
    const id = (c: any) => (flags.needsAutoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey());

    await db.schema.createTable('bios_settings')
      .addColumn('id', flags.serialType, id)
      .addColumn('node_uuid', 'varchar(36)', (c) => c.notNull())
      .addColumn('name', 'varchar(255)', (c) => c.notNull())
      .addColumn('value', 'text')
      .addColumn('attribute_type', 'varchar(255)')
      .addColumn('allowable_values', 'text')
      .addColumn('lower_bound', 'integer')
      .addColumn('max_length', 'integer')
      .addColumn('min_length', 'integer')
      .addColumn('read_only', 'integer')
      .addColumn('reset_required', 'integer')
      .addColumn('unique', 'integer')
      .addColumn('upper_bound', 'integer')
      .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(40)')
      // One value per setting name and node: concurrent caches collide here instead of duplicating rows.
      .addUniqueConstraint('bios_settings_node_name_uq', ['node_uuid', 'name'])
      .execute();

    await db.schema.createTable('node_inventory')
      .addColumn('id', flags.serialType, id)
      .addColumn('node_uuid', 'varchar(36)', (c) => c.notNull().unique())
      .addColumn('inventory_data', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('plugin_data', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(40)')
      .execute();

    await db.schema.createTable('firmware_components')
      .addColumn('id', flags.serialType, id)
      .addColumn('node_uuid', 'varchar(36)', (c) => c.notNull())
      .addColumn('component', 'varchar(255)', (c) => c.notNull())
      .addColumn('initial_version', 'varchar(255)', (c) => c.notNull())
      .addColumn('current_version', 'varchar(255)', (c) => c.notNull())
      .addColumn('last_version_flashed', 'varchar(255)')
      .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(40)')
      .addUniqueConstraint('firmware_components_node_component_uq', ['node_uuid', 'component'])
      .execute();
  },
  async down(db: Kysely<any>) {
    for (const t of [...TABLES].reverse()) await db.schema.dropTable(t).execute();
  },
};
