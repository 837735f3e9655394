// The live feed of what the conductor records about nodes, for watchers such as the dashboard's server-sent
// events: node writes (state, power, maintenance, progress in driver_internal_info, locks), creations,
// deletions and history entries. A write only marks its node as changed; one timer per process re-reads the
// changed rows in a single query per batch, so bursts of progress writes or many open browsers never cost
// more than one read per interval, and watchers only ever see committed rows.
import { log } from '../common/log.js';
import type { NodeHistoryRecord, NodeRecord } from '../db/records.js';
import type { Tables } from '../db/tables.js';

export type NodeFeedEvent =
  | { readonly kind: 'nodes'; readonly nodes: readonly NodeRecord[] }
  | { readonly kind: 'deleted'; readonly uuids: readonly string[] }
  | { readonly kind: 'history'; readonly entries: readonly NodeHistoryRecord[] }
  | { readonly kind: 'counts'; readonly counts: NodeCounts }
  /** The service is stopping: watchers end their streams (an open stream would hold the HTTP server open). */
  | { readonly kind: 'closed' };

export interface NodeCounts {
  readonly total: number;
  readonly provisionStates: Readonly<Record<string, number>>;
}

export type NodeFeedListener = (e: NodeFeedEvent) => void;

/** Rows re-read per query; keeps the IN list well under every dialect's parameter limit. */
const CHUNK = 500;

export class NodeEventFeed {
  readonly #changed = new Set<number>();
  readonly #deleted = new Set<string>();
  #history: NodeHistoryRecord[] = [];
  readonly #listeners = new Set<NodeFeedListener>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(private readonly tables: Tables, readonly intervalMs = 250) {}

  /**
   * Publishes every write made through `tables.nodes` and `tables.nodeHistory`: the service passes the same
   * Tables object to the conductor and the API, so no write path can forget to tell the feed. Deletion runs
   * in its own transaction (node-service) and reports through nodeDeleted().
   */
  watch(): this {
    const nodes = this.tables.nodes;
    const insert = nodes.insert.bind(nodes);
    const update = nodes.update.bind(nodes);
    nodes.insert = async (...a) => this.#marked(await insert(...a));
    nodes.update = async (...a) => {
      const saved = await update(...a);
      return saved ? this.#marked(saved) : saved;
    };
    const history = this.tables.nodeHistory;
    const addHistory = history.insert.bind(history);
    history.insert = async (...a) => {
      const entry = await addHistory(...a);
      if (this.#listeners.size) {
        this.#history.push(entry);
        this.#schedule();
      }
      return entry;
    };
    return this;
  }

  /** A node and what hangs off it were deleted (after the transaction committed). */
  nodeDeleted(uuid: string): void {
    if (!this.#listeners.size) return;
    this.#deleted.add(uuid);
    this.#schedule();
  }

  /** Calls `fn` with every batch until the returned function is called. */
  subscribe(fn: NodeFeedListener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  get watchers(): number {
    return this.#listeners.size;
  }

  async counts(): Promise<NodeCounts> {
    const byState = await this.tables.nodes.countBy('provisionState');
    let total = 0;
    for (const n of byState.values()) total += n;
    return { total, provisionStates: Object.fromEntries(byState) };
  }

  /** Publishes what is pending now (tests and shutdown); resolves when the batch has been sent. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flushing = this.#flushing.then(() => this.#publish()).catch((err: Error) => {
      log.warn('node event feed: could not publish a batch', { error: err.message });
    });
    await this.#flushing;
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#emit({ kind: 'closed' });
    this.#listeners.clear();
  }

  #marked(node: NodeRecord): NodeRecord {
    // Nobody watching: nothing to remember (no memory grows behind a service without browsers).
    if (this.#listeners.size) {
      this.#changed.add(node.id);
      this.#schedule();
    }
    return node;
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => void this.flush(), this.intervalMs);
    this.#timer.unref();
  }

  async #publish(): Promise<void> {
    const ids = [...this.#changed];
    const deleted = [...this.#deleted];
    const history = this.#history;
    this.#changed.clear();
    this.#deleted.clear();
    this.#history = [];
    if (!this.#listeners.size) return;
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await this.tables.nodes.list({ filters: [{ col: 'id', op: 'in', value: ids.slice(i, i + CHUNK) }] });
      if (rows.length) this.#emit({ kind: 'nodes', nodes: rows });
    }
    if (deleted.length) this.#emit({ kind: 'deleted', uuids: deleted });
    if (history.length) this.#emit({ kind: 'history', entries: history });
    if (ids.length || deleted.length) this.#emit({ kind: 'counts', counts: await this.counts() });
  }

  #emit(e: NodeFeedEvent): void {
    for (const fn of this.#listeners) {
      try {
        fn(e);
      } catch (err) {
        log.warn('node event feed: a watcher failed', { error: (err as Error).message });
      }
    }
  }
}
