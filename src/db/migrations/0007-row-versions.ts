// A row version on every table the API changes by read-modify-write (nodes have had one since 0006): each
// update is conditional on the version it was computed from, so concurrent writers cannot lose each other's
// changes (conductor/record-writes.ts).
import type { Kysely } from 'kysely';
import type { SchemaMigration } from './index.js';

const TABLES = ['ports', 'portgroups', 'chassis', 'allocations', 'deploy_templates', 'volume_connectors', 'volume_targets'];

export const rowVersions: SchemaMigration = {
  name: '0007-row-versions',
  async up(db: Kysely<any>) {
    for (const table of TABLES) await db.schema.alterTable(table).addColumn('version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  },
  async down(db: Kysely<any>) {
    for (const table of TABLES) await db.schema.alterTable(table).dropColumn('version').execute();
  },
};
