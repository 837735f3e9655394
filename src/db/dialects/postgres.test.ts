// A PostgreSQL URL without a user: libpq's rule (PGUSER, else the operating-system user), checked on the
// URL and against the real server in a child process that has no $USER (where node-postgres alone fails).
import { spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { PostgresUserError, withDefaultUser } from './postgres.js';

describe('PostgreSQL URL without a user', () => {
  it('takes PGUSER, else the operating-system user, and leaves a URL that names one alone', () => {
    expect(withDefaultUser('postgresql://127.0.0.1:5432/db', {}, () => 'alice')).toBe('postgresql://127.0.0.1:5432/db?user=alice');
    expect(withDefaultUser('postgresql://127.0.0.1:5432/db', { PGUSER: 'bob' }, () => 'alice')).toBe('postgresql://127.0.0.1:5432/db?user=bob');
    expect(withDefaultUser('postgres:///db?host=/run/postgresql', {}, () => 'alice')).toBe('postgres:///db?host=%2Frun%2Fpostgresql&user=alice');
    expect(withDefaultUser('postgresql://carol@127.0.0.1/db', {}, () => 'alice')).toBe('postgresql://carol@127.0.0.1/db');
    expect(withDefaultUser('postgresql://127.0.0.1/db?user=dave', {}, () => 'alice')).toBe('postgresql://127.0.0.1/db?user=dave');
  });

  it('says the URL needs a user when the operating-system user is unknown', () => {
    const unknown = () => { throw new Error('ENOENT'); };
    expect(() => withDefaultUser('postgresql://127.0.0.1/db', {}, unknown)).toThrow(PostgresUserError);
    expect(() => withDefaultUser('postgresql://127.0.0.1/db', {}, unknown)).toThrow(/postgresql:\/\/USER@host:port\/db/);
  });

  it('connects to the real server as the operating-system user when $USER and PGUSER are unset', () => {
    const script = `
      import { Kysely, sql } from 'kysely';
      import { postgresDialect } from './src/db/dialects/postgres.ts';
      const db = new Kysely({ dialect: postgresDialect('postgresql://127.0.0.1:5432/postgres') });
      try { console.log('user=' + (await sql\`select current_user as u\`.execute(db)).rows[0].u); }
      catch (err) { console.log('error=' + err.message); }
      await db.destroy();`;
    const env = { ...process.env };
    delete env.USER;
    delete env.PGUSER;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', env, timeout: 30_000 });
    const me = userInfo().username;
    // Either the server knows a role of that name, or it says it does not: both prove the startup packet named
    // the OS user (before, it named nobody: "no PostgreSQL user name specified in startup packet").
    expect(r.stdout.trim(), r.stderr).toMatch(new RegExp(`^(user=${me}|error=role "${me}" does not exist)$`));
  });
});
