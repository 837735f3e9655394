// Serialised node views, reused while the node's row is unchanged. A detailed list of a thousand nodes is mostly
// the same nodes as the last one, and controllers GET each node every few seconds; re-serialising each costs
// more than the database query. Views are kept as UTF-8 bytes: a list is then assembled by copying bytes, with
// no string to join, measure and encode again on the way to the socket (issue 14's profile).
import type { NodeRecord } from '../../db/records.js';

/** What identifies one state of one node: a node deleted and enrolled again under its UUID has another id. */
export type ViewKey = Pick<NodeRecord, 'uuid' | 'id' | 'version' | 'createdAt'>;

interface Entry {
  readonly id: number;
  readonly version: number;
  readonly createdAt: string;
  readonly variant: string;
  readonly owner: string | null;
  readonly json: Buffer;
}

/** Bounded so a large fleet listed in many variants cannot grow the cache without limit. */
const MAX_ENTRIES = 50_000;

export class NodeViewCache {
  readonly #entries = new Map<string, Entry>();

  /**
   * `variant` names what the view depends on besides the row: version, base URL, field selection; `owner` is
   * the conductor the view names (kept apart so a list builds no string per node).
   */
  get(key: ViewKey, variant: string, owner: string | null): Buffer | undefined {
    const e = this.#entries.get(key.uuid);
    if (!e || e.version !== key.version || e.id !== key.id || e.createdAt !== key.createdAt || e.owner !== owner || e.variant !== variant) return undefined;
    return e.json;
  }

  put(key: ViewKey, variant: string, owner: string | null, json: Buffer): void {
    if (key.version === undefined) return;
    this.#entries.delete(key.uuid);
    if (this.#entries.size >= MAX_ENTRIES) {
      // Map iteration order is insertion order: the first key is the least recently stored.
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key.uuid, { id: key.id, version: key.version, createdAt: key.createdAt, variant, owner, json });
  }
}
