// GET /dashboard/events: the conductor's node feed as server-sent events, for the dashboard's live views.
// Events: `settings` (once: seconds each wait state may last), `counts` (nodes per provision state, at once and after every batch), `nodes` (changed or created
// nodes, in the wire format of the list the dashboard shows, secrets masked like the API does), `deleted`
// (uuids) and `history` (new history entries). Every event batch is turned into wire format once, then
// written to every open stream.
import { streamSSE } from 'hono/streaming';
import { TemporaryFailureError } from '../../common/errors.js';
import type { NodeFeedEvent } from '../../conductor/node-events.js';
import type { NodeHistoryRecord } from '../../db/records.js';
import type { Ctx } from '../context.js';
import { MAX_MINOR } from '../versions.js';
import { nodeView } from '../v1/node-view.js';
import type { ConductorRegistry } from '../../conductor/registry.js';
import { waitTimeoutsS } from '../../conductor/periodics/timeouts.js';

/** What the nodes list shows, plus what a running action reports (the dashboard requests the same fields). */
export const LIVE_FIELDS = ['uuid', 'name', 'provision_state', 'target_provision_state', 'power_state', 'target_power_state',
  'maintenance', 'maintenance_reason', 'fault', 'conductor', 'conductor_group', 'resource_class', 'owner', 'last_error',
  'driver', 'reservation', 'updated_at', 'provision_updated_at', 'deploy_step', 'clean_step', 'driver_internal_info'];

/** Keys of driver_internal_info that report progress (e.g. image_download_progress); nothing else leaves. */
const isProgressKey = (k: string) => /progress/.test(k);

const HEARTBEAT_MS = 15_000;

type Wire = { event: string; data: string };

async function toWire(e: NodeFeedEvent, registry: ConductorRegistry): Promise<Wire | null> {
  switch (e.kind) {
    case 'nodes': {
      const owner = await registry.ownerLookup();
      const nodes = await Promise.all(e.nodes.map(async (n) => {
        const v = await nodeView(n, { minor: MAX_MINOR, base: '', registry, fields: LIVE_FIELDS, owner });
        delete v.links;
        const info = (v.driver_internal_info ?? {}) as Record<string, unknown>;
        v.driver_internal_info = Object.fromEntries(Object.entries(info).filter(([k]) => isProgressKey(k)));
        return v;
      }));
      return { event: 'nodes', data: JSON.stringify(nodes) };
    }
    case 'deleted': return { event: 'deleted', data: JSON.stringify(e.uuids) };
    case 'history': return { event: 'history', data: JSON.stringify(e.entries.map(historyView)) };
    case 'counts': return { event: 'counts', data: JSON.stringify({ total: e.counts.total, provision_states: e.counts.provisionStates }) };
    case 'closed': return null;
  }
}

const historyView = (h: NodeHistoryRecord) => ({ uuid: h.uuid, node_uuid: h.nodeUuid, created_at: h.createdAt, severity: h.severity,
  event: h.event, event_type: h.eventType, conductor: h.conductor, user: h.user });

/**
 * One feed subscription for all streams would need its own fan-out; the feed already fans out, so each stream
 * subscribes itself and the wire form is shared through a per-event memo.
 */
const memo = new WeakMap<NodeFeedEvent, Promise<Wire | null>>();

/**
 * Batches a stream may have waiting for its client before it is dropped: a client that stays connected but stops
 * reading (a suspended laptop) would otherwise hold every later batch in memory. EventSource reconnects, and the
 * dashboard refetches what it shows when it does.
 */
export const MAX_BACKLOG = 500;

const SSE_HEADERS = { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' };

export function liveEvents(c: Ctx): Response | Promise<Response> {
  const deps = c.get('deps');
  const feed = deps.events;
  if (!feed) throw new TemporaryFailureError('Live events are not available in this process.');
  // Hono answers HEAD by running the GET handler and dropping the body unread and uncancelled: a stream opened
  // here would never learn that nobody listens, and would stay subscribed to the feed for good.
  if (c.req.method === 'HEAD') return c.body(null, 200, SSE_HEADERS);
  return streamSSE(c, async (stream) => {
    let closed = false;
    let backlog = 0;
    let chain = Promise.resolve();
    let finish!: () => void;
    const done = new Promise<void>((res) => { finish = res; });
    const end = () => {
      closed = true;
      finish();
    };
    // One chain per stream keeps the feed's order (a `deleted` never overtakes the `nodes` before it).
    const enqueue = (write: () => Promise<unknown>) => {
      if (closed) return;
      if (++backlog > MAX_BACKLOG) {
        // Cancels the pending write, so the chain (and the finally below) can finish.
        stream.abort();
        return;
      }
      chain = chain.then(async () => {
        if (!closed) await write();
      }).then(() => { backlog--; }, end);
    };
    const send = (w: Promise<Wire | null>) => enqueue(async () => {
      const wire = await w;
      if (wire && !closed) await stream.writeSSE(wire);
    });
    const unsubscribe = feed.subscribe((e) => {
      if (e.kind === 'closed') return end();
      let w = memo.get(e);
      if (!w) memo.set(e, (w = toWire(e, deps.registry)));
      send(w);
    });
    // Fires when the client goes away (the HTTP server cancels the body) and when the backlog overflows.
    stream.onAbort(end);
    send(Promise.resolve({ event: 'settings', data: JSON.stringify({ wait_timeouts: waitTimeoutsS(deps.config) }) }));
    // Comments keep proxies and browsers from dropping an idle stream.
    const beat = setInterval(() => enqueue(() => stream.write(': keep-alive\n\n')), HEARTBEAT_MS);
    try {
      send(feed.counts().then((counts) => toWire({ kind: 'counts', counts }, deps.registry)));
      await done;
    } finally {
      clearInterval(beat);
      unsubscribe();
      await chain;
    }
  });
}
