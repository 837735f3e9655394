// Live state from the service's event stream (/dashboard/events, server-sent events): the newest copy of
// every node that changed since the page opened, node counts per state, new history entries. Views read it
// through React's useSyncExternalStore and overlay it on what they fetched from the API.
// The `eventsource` package rather than the browser's EventSource: the same reconnecting client, but one that
// can send the logged-in user's Authorization header (the browser's sends only cookies and cached credentials).
import { useSyncExternalStore } from 'react';
import { EventSource } from 'eventsource';
import type { Json, Node } from './api';
import { authorization, loginRequired } from './auth';

export interface Counts {
  total: number;
  provision_states: Record<string, number>;
}

export interface LiveSnapshot {
  readonly connected: boolean;
  /** The service refused this user the stream (403: it carries every node, so only for system users). */
  readonly refused: string | null;
  readonly counts: Counts | null;
  readonly waitTimeouts: Record<string, number>;
  /** Bumped on every batch, so memoised views know to re-read the maps. */
  readonly revision: number;
}

const nodes = new Map<string, Node>();
const deleted = new Set<string>();
let snapshot: LiveSnapshot = { connected: false, refused: null, counts: null, waitTimeouts: {}, revision: 0 };
const listeners = new Set<() => void>();
type BatchListener = (e: { nodes?: Node[]; deleted?: string[]; history?: Json[] }) => void;
const batchListeners = new Set<BatchListener>();

function update(patch: Partial<LiveSnapshot>): void {
  snapshot = { ...snapshot, ...patch, revision: snapshot.revision + 1 };
  for (const l of listeners) l();
}

let source: EventSource | null = null;
/** Set once a stream opened since the last login: a later open is a reconnect. */
let openedBefore = false;
/** After a refusal other than 401 (a 503 while the service stops, say), which the client does not retry itself. */
const RETRY_MS = 5_000;

/**
 * Opens the stream (again, after a login). `resync` runs when it comes back after a break: batches sent
 * meanwhile are lost, so views refetch.
 */
export function connectLive(resync: () => void): void {
  if (source) return;
  const auth = authorization();
  source = new EventSource('/dashboard/events', {
    fetch: (url, init) => fetch(url, { ...init, credentials: 'omit', headers: { ...init?.headers, ...(auth ? { Authorization: auth } : {}) } }),
  });
  const mine = source;
  source.onopen = () => {
    if (openedBefore) resync();
    openedBefore = true;
    update({ connected: true });
  };
  source.onerror = (e) => {
    update({ connected: false });
    // A broken connection the client retries by itself; a 401 closes the stream until the user logs in.
    if (e.code === 401) {
      disconnectLive();
      loginRequired(null);
    } else if (e.code === 403) {
      // Not retried: the user's roles will not change by waiting. Views poll instead (pollMs).
      source?.close();
      source = null;
      update({ refused: 'This user may not watch every node: the views refresh every few seconds instead.' });
    } else if (mine.readyState === EventSource.CLOSED) {
      setTimeout(() => {
        if (source !== mine) return;
        source = null;
        connectLive(resync);
      }, RETRY_MS);
    }
  };
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

/** Closes the stream (logout, or credentials refused) and forgets what it brought. */
export function disconnectLive(): void {
  source?.close();
  source = null;
  openedBefore = false;
  nodes.clear();
  deleted.clear();
  update({ connected: false, refused: null, counts: null });
}

/** How often views refetch while there is no live stream (refused, or reconnecting); false while live. */
export const pollMs = (live: LiveSnapshot): number | false => (live.connected ? false : 5_000);

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
