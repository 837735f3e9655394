// One generic table gateway used by every resource: insert, find, filtered/sorted/paginated list, update
// and delete, with the row codec applied. Resource modules (nodes.ts, ports.ts, …) add their own rules.
import { sql, type CompiledQuery, type Kysely } from 'kysely';
import type { SecretBox } from '../common/secrets.js';
import type { Database } from './schema.js';
import type { Store } from './database.js';
import { camelRow, decodeRow, encodeRow, type TableCodec } from './codec.js';

export type Filter =
  | { readonly col: string; readonly op: 'eq'; readonly value: string | number | null }
  | { readonly col: string; readonly op: 'in'; readonly value: readonly (string | number)[] }
  | { readonly col: string; readonly op: 'contains'; readonly value: string }
  | { readonly col: string; readonly op: 'isNull' | 'notNull' }
  /** Keyset paging by a numeric column (a marker row may vanish between two pages; a number cannot). */
  | { readonly col: string; readonly op: 'gt'; readonly value: number }
  /** `col` holds the UUID of a node the project owns or leases (RBAC scoping of lists). */
  | { readonly col: string; readonly op: 'ofProject'; readonly value: string };

export interface ListQuery {
  readonly filters?: readonly Filter[];
  /** camelCase column; default insertion order (`id`). */
  readonly sortKey?: string;
  readonly sortDir?: 'asc' | 'desc';
  readonly limit?: number;
  /** Value of the `markerColumn` of the last row of the previous page. */
  readonly marker?: string;
}

export interface RepositorySpec {
  readonly table: keyof Database;
  readonly codec: TableCodec;
  /** Column the API's `marker` refers to (uuid, or hostname for conductors). */
  readonly markerColumn: string;
  /** Columns that may be NULL and are numbers; they sort as -1 so NULL ordering agrees across dialects. */
  readonly nullableNumbers?: readonly string[];
  readonly numbers?: readonly string[];
  /** The table has a `version` column every update increments (for caches keyed on it). */
  readonly versioned?: boolean;
}

/** Raised by the store when a unique column already holds the value; resources turn it into their 409. */
export class UniqueViolation extends Error {
  constructor(readonly column: string, cause: unknown) {
    super(`unique constraint on ${column}`, { cause });
  }
}

export class MarkerNotFound extends Error {}

function uniqueColumn(err: unknown): string | null {
  const e = err as { code?: string; message?: string; constraint?: string; detail?: string };
  if (e?.code === 'SQLITE_CONSTRAINT_UNIQUE') return /\.(\w+)$/.exec(e.message ?? '')?.[1] ?? 'unknown';
  if (e?.code === '23505') return /\((\w+)\)=/.exec(e.detail ?? '')?.[1] ?? e.constraint ?? 'unknown';
  return null;
}

const hasNul = (v: unknown): boolean => typeof v === 'string' && v.includes('\u0000');

const toSnake = (s: string) => s.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());

export class Repository<R extends { id: number }> {
  constructor(readonly store: Store, readonly spec: RepositorySpec) {}

  get #db(): Kysely<any> {
    return this.store.db as Kysely<any>;
  }

  get #box(): SecretBox | null {
    return this.store.secretBox;
  }

  decode(row: Record<string, unknown>): R {
    return decodeRow<R>(row, this.spec.codec, this.#box);
  }

  encode(record: Partial<R>): Record<string, unknown> {
    return encodeRow(record as Record<string, unknown>, this.spec.codec, this.#box);
  }

  async insert(record: Omit<R, 'id'>, db: Kysely<any> = this.#db): Promise<R> {
    try {
      const row = await db.insertInto(this.spec.table).values(this.encode(record as Partial<R>)).returningAll().executeTakeFirstOrThrow();
      return this.decode(row);
    } catch (err) {
      const col = uniqueColumn(err);
      if (col) throw new UniqueViolation(col, err);
      throw err;
    }
  }

  async findBy(col: string, value: string | number, db: Kysely<any> = this.#db): Promise<R | null> {
    const row = await this.#findRow(col, value, undefined, db);
    return row ? this.decode(row) : null;
  }

  /** Like findBy, but only `columns` of the row, undecoded (camelCase keys): for cheap checks before a full read. */
  async findColumnsBy(col: string, value: string | number, columns: readonly string[], db: Kysely<any> = this.#db): Promise<Record<string, unknown> | null> {
    const row = await this.#findRow(col, value, columns, db);
    return row ? camelRow(row) : null;
  }

  /**
   * Lookups by one column are the most frequent queries (every request naming a resource makes one), and
   * building and compiling the Kysely query cost about as much as SQLite running it: each shape is compiled
   * once, then run with the new value.
   */
  readonly #finders = new Map<string, CompiledQuery<Record<string, unknown>>>();

  async #findRow(col: string, value: string | number, columns: readonly string[] | undefined, db: Kysely<any>): Promise<Record<string, unknown> | undefined> {
    if (hasNul(value)) return undefined;
    const key = `${col}|${typeof value}|${columns?.join(',') ?? '*'}`;
    let compiled = this.#finders.get(key);
    if (!compiled) {
      const base = db.selectFrom(this.spec.table);
      compiled = (columns ? base.select(columns as string[]) : base.selectAll()).where(col, '=', value).compile() as CompiledQuery<Record<string, unknown>>;
      this.#finders.set(key, compiled);
    }
    const res = await db.executeQuery<Record<string, unknown>>({ ...compiled, parameters: [value] });
    return res.rows[0];
  }

  /** Updates row `id` when it still matches `conditions`; null when it is gone or no longer matches. */
  async update(id: number, changes: Partial<R>, conditions: readonly Filter[] = [], db: Kysely<any> = this.#db): Promise<R | null> {
    const values = this.encode(changes);
    delete values.id;
    delete values.version;
    if (this.spec.versioned) values.version = sql`${sql.ref('version')} + 1`;
    try {
      const q = this.#applyFilters(db.updateTable(this.spec.table).set(values).where('id', '=', id), conditions);
      const row = await q.returningAll().executeTakeFirst();
      return row ? this.decode(row) : null;
    } catch (err) {
      const col = uniqueColumn(err);
      if (col) throw new UniqueViolation(col, err);
      throw err;
    }
  }

  async deleteWhere(col: string, value: string | number, db: Kysely<any> = this.#db): Promise<number> {
    const res = await db.deleteFrom(this.spec.table).where(col, '=', value).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async count(filters: readonly Filter[] = []): Promise<number> {
    let q = this.#db.selectFrom(this.spec.table).select((eb) => eb.fn.countAll().as('n'));
    q = this.#applyFilters(q, filters);
    const row = await q.executeTakeFirstOrThrow();
    return Number((row as { n: unknown }).n);
  }

  /** Rows per value of `col` (e.g. nodes per provision state), in one grouped query. */
  async countBy(col: string): Promise<Map<string, number>> {
    const rows = await this.#db.selectFrom(this.spec.table).select([col, (eb) => eb.fn.countAll().as('n')]).groupBy(col).execute();
    return new Map(rows.map((r: Record<string, unknown>) => camelRow(r)).map((r) => [String(r[col]), Number(r.n)]));
  }

  #sortExpr(col: string) {
    if (col === 'id' || this.spec.numbers?.includes(col)) return sql.ref(col);
    if (this.spec.nullableNumbers?.includes(col)) return sql`coalesce(${sql.ref(col)}, -1)`;
    return sql`coalesce(${sql.ref(col)}, '')`;
  }

  #applyFilters<Q extends { where: (...a: any[]) => any }>(q: Q, filters: readonly Filter[]): Q {
    for (const f of filters) {
      // Nothing stored holds a NUL (writes refuse it), and PostgreSQL rejects it in a parameter: match nothing.
      const values = f.op === 'in' ? f.value.filter((v) => !hasNul(v)) : [];
      if ((f.op === 'eq' || f.op === 'contains' || f.op === 'ofProject') && hasNul(f.value)) q = q.where(sql<boolean>`1 = 0`);
      else if (f.op === 'ofProject') {
        const v = f.value;
        q = q.where(f.col, 'in', this.#db.selectFrom('nodes').select('uuid').where((eb) => eb.or([eb('owner', '=', v), eb('lessee', '=', v)])));
      }
      else if (f.op === 'in') q = values.length ? q.where(f.col, 'in', values) : q.where(sql<boolean>`1 = 0`);
      else if (f.op === 'eq') q = f.value === null ? q.where(f.col, 'is', null) : q.where(f.col, '=', f.value);
      else if (f.op === 'isNull') q = q.where(f.col, 'is', null);
      else if (f.op === 'notNull') q = q.where(f.col, 'is not', null);
      else if (f.op === 'gt') q = q.where(f.col, '>', f.value);
      else if (f.op === 'contains') {
        const pattern = `%${f.value.replace(/[\\%_]/g, (c: string) => '\\' + c)}%`;
        q = q.where(sql<boolean>`${sql.ref(f.col)} ${sql.raw(this.store.flags.ilike)} ${pattern} escape '\\'`);
      }
    }
    return q;
  }

  /** Like list, but only `columns` of each row, undecoded (camelCase keys): for cheap pre-passes. */
  async listColumns(query: ListQuery, columns: readonly string[]): Promise<Record<string, unknown>[]> {
    return (await this.#listQuery(query, columns)).map((r: Record<string, unknown>) => camelRow(r));
  }

  async list(query: ListQuery = {}): Promise<R[]> {
    const rows = await this.#listQuery(query);
    return rows.map((r: Record<string, unknown>) => this.decode(r));
  }

  async #listQuery(query: ListQuery, columns?: readonly string[]): Promise<Record<string, unknown>[]> {
    const sortKey = query.sortKey ?? 'id';
    const dir = query.sortDir ?? 'asc';
    const base = this.#db.selectFrom(this.spec.table);
    let q = this.#applyFilters(columns ? base.select(columns as string[]) : base.selectAll(), query.filters ?? []);
    if (query.marker !== undefined) {
      if (hasNul(query.marker)) throw new MarkerNotFound(query.marker);
      const m = await this.#db.selectFrom(this.spec.table).selectAll().where(this.spec.markerColumn, '=', query.marker).executeTakeFirst();
      if (!m) throw new MarkerNotFound(query.marker);
      const mr = camelRow(m);
      const expr = this.#sortExpr(sortKey);
      const mv = sortKey === 'id' ? mr.id : this.spec.nullableNumbers?.includes(sortKey) ? (mr[sortKey] ?? -1)
        : this.spec.numbers?.includes(sortKey) ? mr[sortKey] : (mr[sortKey] ?? '');
      const op = dir === 'asc' ? sql.raw('>') : sql.raw('<');
      q = q.where(sql<boolean>`(${expr} ${op} ${mv} or (${expr} = ${mv} and ${sql.ref('id')} ${op} ${mr.id}))`);
    }
    q = q.orderBy(this.#sortExpr(sortKey), dir);
    if (sortKey !== 'id') q = q.orderBy('id', dir);
    if (query.limit !== undefined) q = q.limit(query.limit);
    return q.execute();
  }
}

export { toSnake };
