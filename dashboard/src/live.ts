// Live state from the service's event stream (/dashboard/events, server-sent events): the newest copy of
// every node that changed since the page opened, node counts per state, new history entries. Views read it
// through React's useSyncExternalStore and overlay it on what they fetched from the API.
import { useSyncExternalStore } from 'react';
import type { Json, Node } from './api';

export interface Counts {
  total: number;
  provision_states: Record<string, number>;
}

export interface LiveSnapshot {
  readonly connected: boolean;
  readonly counts: Counts | null;
  readonly waitTimeouts: Record<string, number>;
  /** Bumped on every batch, so memoised views know to re-read the maps. */
  readonly revision: number;
}

const nodes = new Map<string, Node>();
const deleted = new Set<string>();
let snapshot: LiveSnapshot = { connected: false, counts: null, waitTimeouts: {}, revision: 0 };
const listeners = new Set<() => void>();
type BatchListener = (e: { nodes?: Node[]; deleted?: string[]; history?: Json[] }) => void;
const batchListeners = new Set<BatchListener>();

function update(patch: Partial<LiveSnapshot>): void {
  snapshot = { ...snapshot, ...patch, revision: snapshot.revision + 1 };
  for (const l of listeners) l();
}

let source: EventSource | null = null;

/** `resync` runs when the stream comes back after a break: batches sent meanwhile are lost, so views refetch. */
export function connectLive(resync: () => void): void {
  if (source) return;
  source = new EventSource('/dashboard/events');
  let opened = false;
  source.onopen = () => {
    if (opened) resync();
    opened = true;
    update({ connected: true });
  };
  source.onerror = () => update({ connected: false });
  source.addEventListener('settings', (e) => {
    const s = JSON.parse((e as MessageEvent<string>).data) as { wait_timeouts: Record<string, number> };
    update({ waitTimeouts: s.wait_timeouts });
  });
  source.addEventListener('counts', (e) => update({ counts: JSON.parse((e as MessageEvent<string>).data) as Counts }));
  source.addEventListener('nodes', (e) => {
    const batch = JSON.parse((e as MessageEvent<string>).data) as Node[];
    for (const n of batch) {
      nodes.set(n.uuid, n);
      deleted.delete(n.uuid);
    }
    for (const l of batchListeners) l({ nodes: batch });
    update({});
  });
  source.addEventListener('deleted', (e) => {
    const uuids = JSON.parse((e as MessageEvent<string>).data) as string[];
    for (const u of uuids) {
      nodes.delete(u);
      deleted.add(u);
    }
    for (const l of batchListeners) l({ deleted: uuids });
    update({});
  });
  source.addEventListener('history', (e) => {
    const entries = JSON.parse((e as MessageEvent<string>).data) as Json[];
    for (const l of batchListeners) l({ history: entries });
  });
}

export function useLive(): LiveSnapshot {
  return useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, () => snapshot);
}

/** Calls `fn` with each batch from the stream (for views that refetch when their node changes). */
export function onLiveBatch(fn: BatchListener): () => void {
  batchListeners.add(fn);
  return () => batchListeners.delete(fn);
}

/** The fetched row with the newest live copy laid over it (live fields win; the rest stays as fetched). */
export function liveNode<T extends { uuid: string }>(row: T): T & Partial<Node> {
  const l = nodes.get(row.uuid);
  return l ? { ...row, ...l } : row;
}

export const isDeleted = (uuid: string) => deleted.has(uuid);
