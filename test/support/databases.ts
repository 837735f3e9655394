// Fresh, throw-away databases for tests, for each dialect named in DB_DIALECTS (default: sqlite,postgres).
// PostgreSQL is the real server on 127.0.0.1:5432 (ANVIL_TEST_PG_URL to change); a missing server fails the
// tests loudly instead of skipping them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export type Dialect = 'sqlite' | 'postgres';

export const DIALECTS: Dialect[] = (process.env.DB_DIALECTS ?? 'sqlite,postgres')
  .split(',').map((s) => s.trim()).filter(Boolean) as Dialect[];

const PG_ADMIN_URL = process.env.ANVIL_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(dialect: Dialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'anvil-test-'));
    return { url: `sqlite://${join(dir, 'anvil.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `anvil_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect().catch((err: Error) => {
    throw new Error(`PostgreSQL is required for the postgres dialect tests (${PG_ADMIN_URL}): ${err.message}`);
  });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        // A closed pool's sessions may take a moment to leave the server. Forcing them out would hit clients that
        // are still ending with "terminating connection" errors, so wait for them instead, and force only last.
        for (let attempt = 0; ; attempt++) {
          try {
            await c.query(attempt < 50 ? `DROP DATABASE IF EXISTS ${name}` : `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            break;
          } catch (err) {
            if ((err as { code?: string }).code !== '55006' || attempt >= 50) throw err;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      } finally {
        await c.end();
      }
    },
  };
}
