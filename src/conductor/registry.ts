// The conductor registry: this process's row in `conductors`, its heartbeat, and which conductors are alive
// (heartbeat newer than the alive window) — the input of the hash ring.
import type { Config } from '../common/config.js';
import { log } from '../common/log.js';
import { nowTimestamp } from '../db/schema.js';
import type { Tables } from '../db/tables.js';
import type { ConductorRecord } from '../db/records.js';
import { HashRing } from './hash-ring.js';

export const HEARTBEAT_INTERVAL_MS = 10_000;
export const ALIVE_WINDOW_MS = 60_000;

export function isAlive(c: ConductorRecord, now = Date.now()): boolean {
  return c.online && now - Date.parse(c.updatedAt) < ALIVE_WINDOW_MS;
}

export class ConductorRegistry {
  #timer: NodeJS.Timeout | undefined;
  #ringCache: { at: number; rings: Map<string, HashRing>; alive: ConductorRecord[] } | undefined;

  constructor(private readonly tables: Tables, private readonly config: Config) {}

  get hostname(): string {
    return this.config.conductorHostname;
  }

  async register(): Promise<void> {
    const now = nowTimestamp();
    const row = { conductorGroup: this.config.conductorGroup.toLowerCase(), online: true, drivers: [...this.config.enabledHardwareTypes], updatedAt: now };
    const existing = await this.tables.conductors.findBy('hostname', this.hostname);
    if (existing) await this.tables.conductors.update(existing.id, row);
    else await this.tables.conductors.insert({ hostname: this.hostname, createdAt: now, ...row });
    this.#ringCache = undefined;
    this.#timer = setInterval(() => void this.heartbeat(), HEARTBEAT_INTERVAL_MS);
    this.#timer.unref();
  }

  async heartbeat(): Promise<void> {
    try {
      const me = await this.tables.conductors.findBy('hostname', this.hostname);
      if (me) await this.tables.conductors.update(me.id, { updatedAt: nowTimestamp(), online: true });
    } catch (err) {
      log.warn('conductor heartbeat failed', { error: (err as Error).message });
    }
  }

  async unregister(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    const me = await this.tables.conductors.findBy('hostname', this.hostname);
    if (me) await this.tables.conductors.update(me.id, { online: false, updatedAt: nowTimestamp() });
  }

  async alive(): Promise<ConductorRecord[]> {
    return (await this.tables.conductors.list()).filter((c) => isAlive(c));
  }

  /**
   * A synchronous owner lookup valid for a few seconds: serialising a list asks it for every node, so the
   * alive conductors are read once per call and the rings are cached per (group, driver).
   */
  async ownerLookup(): Promise<(nodeUuid: string, driver: string, group: string) => string | null> {
    const now = Date.now();
    if (!this.#ringCache || now - this.#ringCache.at > 5_000) {
      this.#ringCache = { at: now, rings: new Map(), alive: await this.alive() };
    }
    const cache = this.#ringCache;
    return (nodeUuid, driver, group) => {
      const key = `${group}\u0000${driver}`;
      let ring = cache.rings.get(key);
      if (!ring) {
        const hosts = cache.alive.filter((c) => c.conductorGroup === group && c.drivers.includes(driver)).map((c) => c.hostname);
        ring = new HashRing(hosts);
        cache.rings.set(key, ring);
      }
      return ring.owner(nodeUuid);
    };
  }

  /** Conductor that manages a node of `driver` in `group` (see ownerLookup for many nodes). */
  async conductorFor(nodeUuid: string, driver: string, group: string): Promise<string | null> {
    return (await this.ownerLookup())(nodeUuid, driver, group);
  }

  /** True when some alive conductor in `group` serves `driver` (Ironic refuses nodes nobody could manage). */
  async hasConductorFor(driver: string, group: string): Promise<boolean> {
    return (await this.conductorFor('probe', driver, group)) !== null;
  }
}
