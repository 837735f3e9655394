// The eviction policy as a table, and the operator commands' list/prune on a cache directory made by hand.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listCache, pruneCache } from '../cli/service/image-cache.js';
import { CacheLayout, chooseEvictions, entryName, TEMP_PREFIX, writeSidecar, type EntryView, type Sidecar } from './cache-store.js';

const NOW = 1_700_000_000_000;
const DAY = 86_400_000;

function sidecar(url: string, size: number, lastUsedAt: number, source: Sidecar['source'] = 'http'): Sidecar {
  const name = entryName(url, source === 'converted' ? 'raw' : undefined);
  return {
    version: 1, name, url, dataFile: `${name}.g1`, size, source, fetchStartedAt: lastUsedAt, fetchedAt: lastUsedAt,
    lastModified: null, sourceMtimeMs: null, sourceSize: null, digests: { sha256: '0'.repeat(64) }, derivedFrom: null,
    format: null, lastCheckedAt: lastUsedAt, lastUsedAt,
  };
}

const entry = (url: string, size: number, ageDays: number, nodes: string[] = []): EntryView => ({ sidecar: sidecar(url, size, NOW - ageDays * DAY), nodes });

describe('chooseEvictions', () => {
  const a = entry('http://o/a', 40, 5);
  const b = entry('http://o/b', 40, 3, ['node-1']);
  const c = entry('http://o/c', 40, 1);
  const d = entry('http://o/d', 40, 0);
  it.each<[string, { maxBytes: number; ttlS: number; reserveBytes?: number }, EntryView[], string[], EntryView[]]>([
    ['nothing when within limits', { maxBytes: 1000, ttlS: 0 }, [a, b, c, d], [], []],
    ['least recently used first, skipping the one a node uses', { maxBytes: 100, ttlS: 0 }, [a, b, c, d], [], [a, c]],
    ['room for a coming download', { maxBytes: 160, ttlS: 0, reserveBytes: 40 }, [a, b, c, d], [], [a]],
    ['entries leased in memory are kept too', { maxBytes: 100, ttlS: 0 }, [a, b, c, d], [a.sidecar.name], [c, d]],
    ['past the TTL, unused only', { maxBytes: 0, ttlS: 2 * 86_400 }, [a, b, c, d], [], [a]],
    ['in use keeps the cache over its limit rather than break a node', { maxBytes: 10, ttlS: 0 }, [b], [], []],
  ])('%s', (_what, policy, entries, leased, expected) => {
    const chosen = chooseEvictions(entries, (n) => leased.includes(n), { ...policy, now: NOW });
    expect(chosen.map((e) => e.sidecar.url).sort()).toEqual(expected.map((e) => e.sidecar.url).sort());
  });
});

describe('anvil image-cache list / prune', () => {
  const roots: string[] = [];
  afterAll(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });

  async function cacheWith(entries: { sc: Sidecar; nodes?: string[] }[]): Promise<string> {
    const root = mkdtempSync(join(tmpdir(), 'anvil-cli-cache-'));
    roots.push(root);
    const layout = new CacheLayout(root);
    mkdirSync(layout.master, { recursive: true });
    for (const { sc, nodes } of entries) {
      writeFileSync(layout.data(sc.dataFile), Buffer.alloc(sc.size));
      await writeSidecar(layout, sc);
      for (const n of nodes ?? []) {
        mkdirSync(layout.nodeDir(n), { recursive: true });
        writeFileSync(layout.nodeCopy(n, sc.name), '');
      }
    }
    return root;
  }

  it('lists URL (password hidden), size, age, last check and the nodes using each image', async () => {
    const node = '9a9a9a9a-0000-4000-8000-000000000001';
    const root = await cacheWith([{ sc: sidecar('http://u:secret@o/a.img', 10, NOW - 60_000), nodes: [node] }, { sc: sidecar('http://o/b.qcow2', 5, NOW, 'converted') }]);
    const rows = await listCache(root, NOW);
    expect(rows.map((r) => [r.url, r.variant, r.size, r.age_s, r.nodes])).toEqual([
      ['http://o/b.qcow2', 'raw', 5, 0, []],
      ['http://u:***@o/a.img', 'original', 10, 60, [node]],
    ]);
    expect(rows[1]!.last_checked).toBe(new Date(NOW - 60_000).toISOString());
  });

  it('prunes by the policy, or everything unused with --all, and clears leftovers when no service runs', async () => {
    const node = '9a9a9a9a-0000-4000-8000-000000000002';
    const root = await cacheWith([
      { sc: sidecar('http://o/old', 10, NOW - 30 * DAY) },
      { sc: sidecar('http://o/used', 10, NOW - 30 * DAY), nodes: [node] },
      { sc: sidecar('http://o/new', 10, NOW) },
    ]);
    writeFileSync(join(root, 'master', `${TEMP_PREFIX}abc`), 'partial');
    const byPolicy = await pruneCache(root, { all: false, maxBytes: 0, ttlS: 7 * 86_400, now: NOW });
    expect(byPolicy.removed.map((r) => r.url)).toEqual(['http://o/old']);
    expect(byPolicy).toMatchObject({ kept: 2, removedTemps: 1, liveService: null });
    const all = await pruneCache(root, { all: true, maxBytes: 0, ttlS: 0, now: NOW });
    expect(all.removed.map((r) => r.url)).toEqual(['http://o/new']);
    expect((await listCache(root, NOW)).map((r) => r.url)).toEqual(['http://o/used']);
    expect(readdirSync(join(root, 'master')).filter((f) => f.startsWith(TEMP_PREFIX))).toEqual([]);
  });
});
