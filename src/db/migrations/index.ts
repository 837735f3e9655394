// The ordered list of schema migrations; both dialects walk the same list.
import type { Kysely } from 'kysely';
import type { DialectFlags } from '../dialects/dialect-flags.js';
import { initial } from './0001-initial.js';
import { nodeHistory } from './0003-node-history.js';
import { nodeExtras } from './0004-node-extras.js';
import { allocationsVolumeTemplates } from './0005-allocations-volume-templates.js';
import { nodeVersion } from './0006-node-version.js';
import { rowVersions } from './0007-row-versions.js';

export interface SchemaMigration {
  readonly name: string;
  up(db: Kysely<any>, flags: DialectFlags): Promise<void>;
  down?(db: Kysely<any>, flags: DialectFlags): Promise<void>;
}

export const MIGRATIONS: readonly SchemaMigration[] = [initial, nodeHistory, nodeExtras, allocationsVolumeTemplates, nodeVersion, rowVersions];
