// What differs between the two supported databases, as flags; queries consult these instead of testing
// for a dialect name.
export interface DialectFlags {
  readonly name: 'sqlite' | 'postgres';
  /** Column type of an auto-incrementing integer primary key. */
  readonly serialType: 'integer' | 'serial';
  /** SQLite needs AUTOINCREMENT to avoid reusing ids; PostgreSQL's serial already never reuses. */
  readonly needsAutoIncrement: boolean;
  /** Case-insensitive LIKE operator. */
  readonly ilike: 'like' | 'ilike';
}

export const SQLITE_FLAGS: DialectFlags = { name: 'sqlite', serialType: 'integer', needsAutoIncrement: true, ilike: 'like' };
export const POSTGRES_FLAGS: DialectFlags = { name: 'postgres', serialType: 'serial', needsAutoIncrement: false, ilike: 'ilike' };
