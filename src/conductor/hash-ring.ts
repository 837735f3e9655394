// Consistent hashing of nodes onto conductors: each conductor owns many points on a ring, a node belongs to
// the first point after its own hash, so adding or losing a conductor moves only that conductor's share.
import { createHash } from 'node:crypto';

const REPLICAS = 64;

function point(key: string): number {
  return createHash('md5').update(key).digest().readUInt32BE(0);
}

/**
 * A node's point never changes, and every detailed list asks the ring about every listed node: hashing them
 * anew cost a tenth of a list's time (issue 14's profile). Bounded; emptied when full (a refill is cheap).
 */
const KEY_POINTS = new Map<string, number>();
const MAX_KEY_POINTS = 100_000;

function keyPoint(key: string): number {
  let p = KEY_POINTS.get(key);
  if (p === undefined) {
    if (KEY_POINTS.size >= MAX_KEY_POINTS) KEY_POINTS.clear();
    p = point(key);
    KEY_POINTS.set(key, p);
  }
  return p;
}

export class HashRing {
  readonly #points: { at: number; host: string }[];
  readonly #single: string | undefined;

  constructor(hosts: readonly string[]) {
    this.#points = hosts
      .flatMap((host) => Array.from({ length: REPLICAS }, (_, i) => ({ at: point(`${host}#${i}`), host })))
      .sort((a, b) => a.at - b.at || a.host.localeCompare(b.host));
    const distinct = new Set(hosts);
    this.#single = distinct.size === 1 ? hosts[0] : undefined;
  }

  /** Conductor responsible for `key` (a node UUID), or null with no conductors. */
  owner(key: string): string | null {
    if (this.#points.length === 0) return null;
    // One conductor (the usual set-up) owns every point: no hash needed.
    if (this.#single !== undefined) return this.#single;
    const h = keyPoint(key);
    let lo = 0;
    let hi = this.#points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#points[mid]!.at < h) lo = mid + 1;
      else hi = mid;
    }
    return this.#points[lo % this.#points.length]!.host;
  }
}
