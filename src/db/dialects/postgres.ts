// PostgreSQL through a pg connection pool; several Anvil processes can share one database.
import { userInfo } from 'node:os';
import pg from 'pg';
import { PostgresDialect } from 'kysely';

export class PostgresUserError extends Error {}

/**
 * The URL with a user name in it. libpq's rule for a URL that names none: PGUSER, else the operating-system
 * user. node-postgres falls back to $USER only, which services and CI jobs often lack ("no PostgreSQL user name
 * specified in startup packet"), so the rule is applied here. The password, if any, stays where it is.
 */
export function withDefaultUser(url: string, env: NodeJS.ProcessEnv = process.env, osUser: () => string = () => userInfo().username): string {
  const parsed = new URL(url);
  if (parsed.username !== '' || parsed.searchParams.get('user')) return url;
  let user = env.PGUSER;
  if (!user) {
    try {
      user = osUser();
    } catch {
      user = '';
    }
  }
  if (!user) {
    throw new PostgresUserError('the PostgreSQL URL names no user and the operating-system user is unknown: write it as postgresql://USER@host:port/db (or set PGUSER)');
  }
  // As a `user` parameter: a URL without a host (a Unix socket given as `?host=/run/postgresql`) cannot hold one.
  parsed.searchParams.set('user', user);
  return parsed.toString();
}

export function postgresDialect(url: string): PostgresDialect {
  return new PostgresDialect({ pool: new pg.Pool({ connectionString: withDefaultUser(url), max: 10 }) });
}
