// Opens the store named by a database URL and brings its schema up to date.
import { CamelCasePlugin, Kysely, Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './schema.js';
import { POSTGRES_FLAGS, SQLITE_FLAGS, type DialectFlags } from './dialects/dialect-flags.js';
import { sqliteDialect } from './dialects/sqlite.js';
import { postgresDialect } from './dialects/postgres.js';
import { MIGRATIONS } from './migrations/index.js';
import type { SecretBox } from '../common/secrets.js';

export interface Store {
  readonly db: Kysely<Database>;
  readonly flags: DialectFlags;
  /** Encrypts secret values at rest when an encryption key is configured. */
  readonly secretBox: SecretBox | null;
  close(): Promise<void>;
}

export class DatabaseUrlError extends Error {}

/**
 * camelCase names in queries, snake_case in the database. Result rows are left as the driver returns them and
 * renamed once, in the row codec, together with the JSON decoding — one copy per row instead of two.
 */
class QueryOnlyCamelCase extends CamelCasePlugin {
  override async transformResult(args: Parameters<CamelCasePlugin['transformResult']>[0]) {
    return args.result;
  }
}

/** `sqlite:///abs/path.db`, `sqlite://:memory:`, `postgresql://…` / `postgres://…`. */
export function parseDatabaseUrl(url: string): { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string } {
  if (url.startsWith('sqlite://')) {
    const path = decodeURIComponent(url.slice('sqlite://'.length));
    if (path === ':memory:' || path === '/:memory:') return { kind: 'sqlite', path: ':memory:' };
    if (!path.startsWith('/')) throw new DatabaseUrlError(`SQLite URL must hold an absolute path (sqlite:///abs/path.db), got ${url}`);
    return { kind: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url };
  throw new DatabaseUrlError(`unsupported database URL "${url.replace(/\/\/[^@/]*@/, '//***@')}": use sqlite:///path or postgresql://…`);
}

export async function openStore(url: string, opts: { migrate?: boolean; secretBox?: SecretBox | null } = {}): Promise<Store> {
  const parsed = parseDatabaseUrl(url);
  const dialect = parsed.kind === 'sqlite' ? sqliteDialect(parsed.path) : postgresDialect(parsed.url);
  const flags = parsed.kind === 'sqlite' ? SQLITE_FLAGS : POSTGRES_FLAGS;
  const db = new Kysely<Database>({ dialect, plugins: [new QueryOnlyCamelCase()] });
  const store: Store = { db, flags, secretBox: opts.secretBox ?? null, close: () => db.destroy() };
  if (opts.migrate !== false) await migrateToLatest(store);
  return store;
}

class StaticProvider implements MigrationProvider {
  constructor(private readonly flags: DialectFlags) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const m of MIGRATIONS) out[m.name] = { up: (db) => m.up(db, this.flags), down: m.down ? (db) => m.down!(db, this.flags) : undefined };
    return out;
  }
}

export class MigrationFailedError extends Error {}

/** Applies pending migrations; several processes starting at once are serialised by Kysely's migration lock. */
export async function migrateToLatest(store: Store): Promise<string[]> {
  const migrator = new Migrator({ db: store.db, provider: new StaticProvider(store.flags) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new MigrationFailedError(`database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
