// Serialised node views, reused while the node's row version is unchanged. A detailed list of a thousand nodes
// is mostly the same nodes as the last one; re-serialising each costs more than the database query.
import type { NodeRecord } from '../../db/records.js';

interface Entry {
  readonly version: number;
  readonly variant: string;
  readonly json: string;
}

/** Bounded so a large fleet listed in many variants cannot grow the cache without limit. */
const MAX_ENTRIES = 50_000;

export class NodeViewCache {
  readonly #entries = new Map<string, Entry>();

  /** `variant` names everything else the view depends on: version, base URL, owner, field selection. */
  get(uuid: string, version: number, variant: string): string | undefined {
    const e = this.#entries.get(uuid);
    if (!e || e.version !== version || e.variant !== variant) return undefined;
    return e.json;
  }

  put(node: Pick<NodeRecord, 'uuid' | 'version'>, variant: string, json: string): void {
    if (node.version === undefined) return;
    this.#entries.delete(node.uuid);
    if (this.#entries.size >= MAX_ENTRIES) {
      // Map iteration order is insertion order: the first key is the least recently stored.
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(node.uuid, { version: node.version, variant, json });
  }
}
