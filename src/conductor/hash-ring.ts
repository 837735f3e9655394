// Consistent hashing of nodes onto conductors: each conductor owns many points on a ring, a node belongs to
// the first point after its own hash, so adding or losing a conductor moves only that conductor's share.
import { createHash } from 'node:crypto';

const REPLICAS = 64;

function point(key: string): number {
  return createHash('md5').update(key).digest().readUInt32BE(0);
}

export class HashRing {
  readonly #points: { at: number; host: string }[];

  constructor(hosts: readonly string[]) {
    this.#points = hosts
      .flatMap((host) => Array.from({ length: REPLICAS }, (_, i) => ({ at: point(`${host}#${i}`), host })))
      .sort((a, b) => a.at - b.at || a.host.localeCompare(b.host));
  }

  /** Conductor responsible for `key` (a node UUID), or null with no conductors. */
  owner(key: string): string | null {
    if (this.#points.length === 0) return null;
    const h = point(key);
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
