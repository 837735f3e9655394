// PostgreSQL through a pg connection pool; several Anvil processes can share one database.
import pg from 'pg';
import { PostgresDialect } from 'kysely';

export function postgresDialect(url: string): PostgresDialect {
  return new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 10 }) });
}
