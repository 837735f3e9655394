// The image cache on disk, shared by the service (ImageCache) and the operator commands (`anvil image-cache`):
//   <root>/master/<name>.json         sidecar: URL, validators, digests, use times — the commit point of an entry
//   <root>/master/<name>.<generation> the bytes that sidecar names
//   <root>/nodes/<node uuid>/<name>   a node's hard link to a master copy; the entry is in use while one exists
//   .tmp-*                            writes in progress (temp name, fsync, rename), removed at start-up
// <name> is the SHA-256 of the URL, with `.raw` appended for the converted variant. A new generation is
// written beside the old one and only becomes the entry when its sidecar is renamed into place, so a crash
// at any point leaves either the old entry or the new one, never a partial file that would be served.
import { createHash, randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Config } from '../common/config.js';
import { normalizeUuid } from '../common/ids.js';

export interface Sidecar {
  readonly version: 1;
  readonly name: string;
  readonly url: string;
  /** File name (in master/) of the bytes. */
  readonly dataFile: string;
  readonly size: number;
  readonly source: 'http' | 'file' | 'converted';
  /** When the transfer began (ms): the copy's time when the origin sent no Last-Modified. */
  readonly fetchStartedAt: number;
  readonly fetchedAt: number;
  /** `Last-Modified` of the GET that filled the entry (http), raw header text. */
  readonly lastModified: string | null;
  /** mtime and size of the file (file://) when it was copied. */
  readonly sourceMtimeMs: number | null;
  readonly sourceSize: number | null;
  /** Digests by algorithm; sha256 is always there, computed in the same pass as the copy. */
  readonly digests: Readonly<Record<string, string>>;
  /** Converted entries: the `dataFile` of the original they were made from. */
  readonly derivedFrom: string | null;
  /** Detected disk format, when known. */
  readonly format: string | null;
  readonly lastCheckedAt: number;
  readonly lastUsedAt: number;
}

export const TEMP_PREFIX = '.tmp-';
const NAME_RE = /^[0-9a-f]{64}(\.raw)?$/;

export function entryName(url: string, variant?: 'raw'): string {
  return createHash('sha256').update(url).digest('hex') + (variant ? `.${variant}` : '');
}

export function isEntryName(name: string): boolean {
  return NAME_RE.test(name);
}

export function cacheRoot(config: Pick<Config, 'imageCacheDir' | 'stateDir'>): string {
  return resolve(config.imageCacheDir || join(config.stateDir, 'image-cache'));
}

export class CacheLayout {
  readonly master: string;
  readonly nodes: string;
  readonly pidFile: string;

  constructor(readonly root: string) {
    this.master = join(root, 'master');
    this.nodes = join(root, 'nodes');
    this.pidFile = join(root, 'service.pid');
  }

  sidecar(name: string): string {
    return join(this.master, `${name}.json`);
  }

  data(dataFile: string): string {
    return join(this.master, dataFile);
  }

  /** @throws Error on anything but a UUID: node directories are named by it, nothing else may get in. */
  nodeDir(nodeUuid: string): string {
    const uuid = normalizeUuid(nodeUuid);
    if (!uuid) throw new Error(`not a node UUID: ${JSON.stringify(nodeUuid)}`);
    return join(this.nodes, uuid);
  }

  nodeCopy(nodeUuid: string, name: string): string {
    if (!isEntryName(name)) throw new Error(`not a cache entry name: ${JSON.stringify(name)}`);
    return join(this.nodeDir(nodeUuid), name);
  }

  temp(dir: string): string {
    return join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
  }

  newDataFile(name: string): string {
    return `${name}.${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  }
}

/** fsync of a directory makes a rename inside it durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Small files (sidecars): temp name, fsync, rename, fsync the directory. */
export async function writeFileAtomic(layout: CacheLayout, path: string, text: string): Promise<void> {
  const dir = resolve(path, '..');
  const tmp = layout.temp(dir);
  try {
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dir);
}

export async function writeSidecar(layout: CacheLayout, sc: Sidecar): Promise<void> {
  await writeFileAtomic(layout, layout.sidecar(sc.name), JSON.stringify(sc, null, 2) + '\n');
}

function validSidecar(v: unknown, name: string): v is Sidecar {
  const s = v as Partial<Sidecar> | null;
  return !!s && s.version === 1 && s.name === name && typeof s.url === 'string' && typeof s.dataFile === 'string'
    && s.dataFile.startsWith(`${name}.`) && !s.dataFile.includes('/') && typeof s.size === 'number'
    && typeof s.lastUsedAt === 'number' && typeof s.digests === 'object' && s.digests !== null;
}

/** The entry for `name`, or null when there is none or its data file is missing or of the wrong size. */
export async function readSidecar(layout: CacheLayout, name: string): Promise<Sidecar | null> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(layout.sidecar(name), 'utf8'));
  } catch {
    return null;
  }
  if (!validSidecar(parsed, name)) return null;
  const st = await stat(layout.data(parsed.dataFile)).catch(() => null);
  return st?.isFile() && st.size === parsed.size ? parsed : null;
}

/** Node UUIDs holding a copy of each entry, by entry name. */
export async function nodeUsage(layout: CacheLayout): Promise<Map<string, string[]>> {
  const usage = new Map<string, string[]>();
  for (const uuid of await readdir(layout.nodes).catch(() => [] as string[])) {
    for (const file of await readdir(join(layout.nodes, uuid)).catch(() => [] as string[])) {
      if (!isEntryName(file)) continue;
      const list = usage.get(file) ?? [];
      list.push(uuid);
      usage.set(file, list);
    }
  }
  return usage;
}

export interface EntryView {
  readonly sidecar: Sidecar;
  readonly nodes: readonly string[];
}

/** Every complete entry, with the nodes using it. */
export async function listEntries(layout: CacheLayout): Promise<EntryView[]> {
  const usage = await nodeUsage(layout);
  const out: EntryView[] = [];
  for (const file of await readdir(layout.master).catch(() => [] as string[])) {
    if (!file.endsWith('.json') || file.startsWith(TEMP_PREFIX)) continue;
    const name = file.slice(0, -'.json'.length);
    if (!isEntryName(name)) continue;
    const sc = await readSidecar(layout, name);
    if (sc) out.push({ sidecar: sc, nodes: usage.get(name) ?? [] });
  }
  return out;
}

/** Removes the sidecar first: from then on the entry does not exist, whatever happens to the data file. */
export async function removeEntry(layout: CacheLayout, sc: Sidecar): Promise<void> {
  await unlink(layout.sidecar(sc.name)).catch(() => undefined);
  await unlink(layout.data(sc.dataFile)).catch(() => undefined);
}

export interface EvictionPolicy {
  /** 0: no size limit. */
  readonly maxBytes: number;
  /** Seconds since last use; 0: no age limit. */
  readonly ttlS: number;
  readonly now: number;
  /** Room wanted for a download about to start. */
  readonly reserveBytes?: number;
}

/**
 * Which entries to drop: every unused one past its TTL, then unused ones, least recently used first, until
 * the cache (plus the reserve) fits the size limit. Entries in use are never chosen, even when the cache
 * stays over its limit because of them.
 */
export function chooseEvictions(entries: readonly EntryView[], inUse: (name: string) => boolean, policy: EvictionPolicy): EntryView[] {
  const free = entries.filter((e) => e.nodes.length === 0 && !inUse(e.sidecar.name));
  const chosen = new Set<EntryView>();
  if (policy.ttlS > 0) {
    for (const e of free) if (policy.now - e.sidecar.lastUsedAt > policy.ttlS * 1000) chosen.add(e);
  }
  if (policy.maxBytes > 0) {
    let total = entries.reduce((n, e) => n + (chosen.has(e) ? 0 : e.sidecar.size), 0) + (policy.reserveBytes ?? 0);
    const lru = free.filter((e) => !chosen.has(e)).sort((a, b) => a.sidecar.lastUsedAt - b.sidecar.lastUsedAt);
    for (const e of lru) {
      if (total <= policy.maxBytes) break;
      chosen.add(e);
      total -= e.sidecar.size;
    }
  }
  return [...chosen];
}

export interface ReconcileResult {
  readonly removedTemps: number;
  readonly removedOrphans: number;
}

/**
 * Start-up clean-up, only safe while no service writes into the cache: temp files (interrupted writes) go,
 * as do data files no sidecar names (a crash between data and sidecar, superseded generations) and
 * sidecars whose data is missing or truncated.
 */
export async function reconcile(layout: CacheLayout): Promise<ReconcileResult> {
  let removedTemps = 0;
  let removedOrphans = 0;
  const files = await readdir(layout.master).catch(() => [] as string[]);
  const referenced = new Set<string>();
  for (const file of files) {
    if (file.startsWith(TEMP_PREFIX) || !file.endsWith('.json')) continue;
    const name = file.slice(0, -'.json'.length);
    const sc = isEntryName(name) ? await readSidecar(layout, name) : null;
    if (sc) referenced.add(sc.dataFile);
    else {
      await unlink(join(layout.master, file)).catch(() => undefined);
      removedOrphans++;
    }
  }
  for (const file of files) {
    if (file.startsWith(TEMP_PREFIX)) {
      await rm(join(layout.master, file), { force: true });
      removedTemps++;
    } else if (!file.endsWith('.json') && !referenced.has(file)) {
      await unlink(join(layout.master, file)).catch(() => undefined);
      removedOrphans++;
    }
  }
  for (const uuid of await readdir(layout.nodes).catch(() => [] as string[])) {
    for (const file of await readdir(join(layout.nodes, uuid)).catch(() => [] as string[])) {
      if (!file.startsWith(TEMP_PREFIX)) continue;
      await rm(join(layout.nodes, uuid, file), { force: true });
      removedTemps++;
    }
  }
  return { removedTemps, removedOrphans };
}

/** PID of a live service using this cache, if any (the operator commands then leave temp files alone). */
export async function liveOwner(layout: CacheLayout): Promise<number | null> {
  const pid = Number((await readFile(layout.pidFile, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else — still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

export async function writeOwner(layout: CacheLayout): Promise<void> {
  await writeFile(layout.pidFile, `${process.pid}\n`);
}

export async function clearOwner(layout: CacheLayout): Promise<void> {
  const pid = Number((await readFile(layout.pidFile, 'utf8').catch(() => '')).trim());
  if (pid === process.pid) await unlink(layout.pidFile).catch(() => undefined);
}
