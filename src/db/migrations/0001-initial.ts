// Enrolment tables: nodes, ports, portgroups, chassis and the conductor registry.
import { type CreateTableBuilder, type Kysely } from 'kysely';
import type { DialectFlags } from '../dialects/dialect-flags.js';
import type { SchemaMigration } from './index.js';

function withId(t: CreateTableBuilder<string, never>, flags: DialectFlags) {
  return t.addColumn('id', flags.serialType, (c) => (flags.needsAutoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()));
}

const json = (t: CreateTableBuilder<string, any>, name: string, empty = '{}') =>
  t.addColumn(name, 'text', (c) => c.notNull().defaultTo(empty));

export const initial: SchemaMigration = {
  name: '0001-initial',
  async up(db: Kysely<any>, flags: DialectFlags) {
    let nodes = withId(db.schema.createTable('nodes'), flags)
      .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
      .addColumn('name', 'varchar(255)', (c) => c.unique())
      .addColumn('driver', 'varchar(255)', (c) => c.notNull())
      .addColumn('instance_uuid', 'varchar(36)', (c) => c.unique())
      .addColumn('chassis_uuid', 'varchar(36)')
      .addColumn('power_state', 'varchar(32)')
      .addColumn('target_power_state', 'varchar(32)')
      .addColumn('provision_state', 'varchar(32)', (c) => c.notNull())
      .addColumn('target_provision_state', 'varchar(32)')
      .addColumn('provision_updated_at', 'varchar(40)')
      .addColumn('last_error', 'text')
      .addColumn('maintenance', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('maintenance_reason', 'text')
      .addColumn('fault', 'varchar(255)')
      .addColumn('reservation', 'varchar(255)')
      .addColumn('console_enabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('inspection_started_at', 'varchar(40)')
      .addColumn('inspection_finished_at', 'varchar(40)');
    for (const j of ['driver_info', 'driver_internal_info', 'instance_info', 'properties', 'extra', 'clean_step',
      'deploy_step', 'service_step', 'raid_config', 'target_raid_config', 'network_data']) nodes = json(nodes, j);
    nodes = json(nodes, 'traits', '[]');
    for (const kind of ['boot', 'bios', 'console', 'deploy', 'firmware', 'inspect', 'management', 'network', 'power',
      'raid', 'rescue', 'storage', 'vendor']) nodes = nodes.addColumn(`${kind}_interface`, 'varchar(255)');
    await nodes
      .addColumn('resource_class', 'varchar(80)')
      .addColumn('conductor_group', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('automated_clean', 'integer')
      .addColumn('protected', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('protected_reason', 'text')
      .addColumn('owner', 'varchar(255)')
      .addColumn('lessee', 'varchar(255)')
      .addColumn('description', 'text')
      .addColumn('allocation_uuid', 'varchar(36)')
      .addColumn('retired', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('retired_reason', 'text')
      .addColumn('boot_mode', 'varchar(16)')
      .addColumn('secure_boot', 'integer')
      .addColumn('shard', 'varchar(255)')
      .addColumn('parent_node', 'varchar(36)')
      .addColumn('disable_power_off', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('conductor_affinity', 'varchar(255)')
      .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(40)')
      .execute();
    for (const col of ['provision_state', 'driver', 'resource_class', 'conductor_group', 'owner', 'lessee', 'chassis_uuid']) {
      await db.schema.createIndex(`nodes_${col}_idx`).on('nodes').column(col).execute();
    }

    let ports = withId(db.schema.createTable('ports'), flags)
      .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
      .addColumn('address', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('node_uuid', 'varchar(36)', (c) => c.notNull())
      .addColumn('pxe_enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('portgroup_uuid', 'varchar(36)')
      .addColumn('physical_network', 'varchar(64)')
      .addColumn('is_smartnic', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('name', 'varchar(255)', (c) => c.unique());
    for (const j of ['extra', 'internal_info', 'local_link_connection']) ports = json(ports, j);
    await ports.addColumn('created_at', 'varchar(40)', (c) => c.notNull()).addColumn('updated_at', 'varchar(40)').execute();
    await db.schema.createIndex('ports_node_uuid_idx').on('ports').column('node_uuid').execute();
    await db.schema.createIndex('ports_portgroup_uuid_idx').on('ports').column('portgroup_uuid').execute();

    let pgs = withId(db.schema.createTable('portgroups'), flags)
      .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
      .addColumn('name', 'varchar(255)', (c) => c.unique())
      .addColumn('address', 'varchar(64)', (c) => c.unique())
      .addColumn('node_uuid', 'varchar(36)', (c) => c.notNull())
      .addColumn('mode', 'varchar(255)')
      .addColumn('standalone_ports_supported', 'integer', (c) => c.notNull().defaultTo(1));
    for (const j of ['properties', 'extra', 'internal_info']) pgs = json(pgs, j);
    await pgs.addColumn('created_at', 'varchar(40)', (c) => c.notNull()).addColumn('updated_at', 'varchar(40)').execute();
    await db.schema.createIndex('portgroups_node_uuid_idx').on('portgroups').column('node_uuid').execute();

    await json(withId(db.schema.createTable('chassis'), flags)
      .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
      .addColumn('description', 'varchar(255)'), 'extra')
      .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(40)')
      .execute();

    await withId(db.schema.createTable('conductors'), flags)
      .addColumn('hostname', 'varchar(255)', (c) => c.notNull().unique())
      .addColumn('conductor_group', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('online', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('drivers', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(40)', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    for (const t of ['conductors', 'chassis', 'portgroups', 'ports', 'nodes']) await db.schema.dropTable(t).execute();
  },
};
