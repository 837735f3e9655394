// `anvil image-cache list|prune`: look into and trim a conductor's image cache straight on disk (the cache
// directory comes from the same settings as `anvil serve`), so neither needs a running service.
import type { Command } from 'commander';
import { join } from 'node:path';
import { renderTable } from '../output/table.js';
import {
  CacheLayout, cacheRoot, chooseEvictions, listEntries, liveOwner, reconcile, removeEntry, type EntryView,
} from '../../images/cache-store.js';
import { addSettingFlags, configFromOptions } from './settings-options.js';

export interface CacheListRow {
  readonly url: string;
  readonly variant: 'original' | 'raw';
  readonly size: number;
  /** Seconds since the copy was fetched (or converted). */
  readonly age_s: number;
  readonly last_checked: string;
  readonly last_used: string;
  readonly last_modified: string | null;
  readonly sha256: string | null;
  readonly nodes: readonly string[];
  readonly file: string;
}

/** The URL without its password: the list is for operators, credentials stay out of terminals and tickets. */
function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.href;
  } catch {
    return url;
  }
}

function row(layout: CacheLayout, e: EntryView, now: number): CacheListRow {
  const sc = e.sidecar;
  return {
    url: shownUrl(sc.url), variant: sc.source === 'converted' ? 'raw' : 'original', size: sc.size,
    age_s: Math.max(0, Math.round((now - sc.fetchedAt) / 1000)),
    last_checked: new Date(sc.lastCheckedAt).toISOString(), last_used: new Date(sc.lastUsedAt).toISOString(),
    last_modified: sc.lastModified, sha256: sc.digests.sha256 ?? null, nodes: [...e.nodes].sort(),
    file: join(layout.master, sc.dataFile),
  };
}

export async function listCache(root: string, now = Date.now()): Promise<CacheListRow[]> {
  const layout = new CacheLayout(root);
  const entries = await listEntries(layout);
  return entries.map((e) => row(layout, e, now)).sort((a, b) => a.url.localeCompare(b.url) || a.variant.localeCompare(b.variant));
}

export interface PruneOptions {
  /** Every image no node uses, instead of only those past the TTL or beyond the size limit. */
  readonly all: boolean;
  readonly maxBytes: number;
  readonly ttlS: number;
  readonly now?: number;
}

export interface PruneResult {
  readonly removed: CacheListRow[];
  readonly kept: number;
  readonly removedTemps: number;
  readonly removedOrphans: number;
  /** PID of the service using the cache, when one runs (its in-flight temp files were then left alone). */
  readonly liveService: number | null;
}

export async function pruneCache(root: string, opts: PruneOptions): Promise<PruneResult> {
  const layout = new CacheLayout(root);
  const now = opts.now ?? Date.now();
  const owner = await liveOwner(layout);
  // Temp files and unreferenced data may belong to a transfer a running service is in the middle of.
  const cleaned = owner === null ? await reconcile(layout) : { removedTemps: 0, removedOrphans: 0 };
  const entries = await listEntries(layout);
  const victims = opts.all
    ? entries.filter((e) => e.nodes.length === 0)
    : chooseEvictions(entries, () => false, { maxBytes: opts.maxBytes, ttlS: opts.ttlS, now });
  for (const e of victims) await removeEntry(layout, e.sidecar);
  return { removed: victims.map((e) => row(layout, e, now)), kept: entries.length - victims.length, ...cleaned, liveService: owner };
}

const COLUMNS = ['URL', 'Variant', 'Size', 'Age (s)', 'Last Checked', 'Nodes'] as const;

function table(rows: readonly CacheListRow[]): string {
  const cells = rows.map((r) => [r.url, r.variant, String(r.size), String(r.age_s), r.last_checked, r.nodes.join('\n')]);
  return renderTable(COLUMNS, cells, ['l', 'l', 'r', 'r', 'l', 'l'], { maxWidth: 0, fitWidth: false, printEmpty: true }, 8);
}

export function registerImageCache(program: Command): void {
  const group = program.command('image-cache').description('Inspect or prune the image cache of this conductor (works on the cache directory, no service needed)');
  addSettingFlags(group.command('list').description('List cached images: URL, size, age, last check, nodes using them'))
    .option('-f, --format <format>', 'output format: table or json', 'table')
    .action(async (opts: Record<string, unknown>) => {
      const format = String(opts.format);
      if (format !== 'json' && format !== 'table') throw new Error(`--format must be json or table, got ${format}`);
      const rows = await listCache(cacheRoot(configFromOptions(opts)));
      process.stdout.write(format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : `${table(rows)}\n`);
    });
  addSettingFlags(group.command('prune').description('Remove cached images past imageCacheTtl or beyond imageCacheMaxBytes; images nodes use are kept'))
    .option('--all', 'remove every cached image that no node uses')
    .action(async (opts: Record<string, unknown>) => {
      const config = configFromOptions(opts);
      const result = await pruneCache(cacheRoot(config), { all: opts.all === true, maxBytes: config.imageCacheMaxBytes, ttlS: config.imageCacheTtl });
      const bytes = result.removed.reduce((n, r) => n + r.size, 0);
      process.stdout.write(`removed ${result.removed.length} image(s) (${bytes} bytes), kept ${result.kept}` +
        (result.removedTemps || result.removedOrphans ? `; cleaned ${result.removedTemps} temp and ${result.removedOrphans} orphaned file(s)` : '') + '\n');
      for (const r of result.removed) process.stdout.write(`  removed ${r.url} (${r.variant}, ${r.size} bytes)\n`);
      if (result.liveService !== null) {
        process.stdout.write(`note: a service (pid ${result.liveService}) is using this cache; its unfinished transfers were left alone\n`);
      }
    });
}
