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

export function liveEvents(c: Ctx): Response | Promise<Response> {
  const deps = c.get('deps');
  const feed = deps.events;
  if (!feed) throw new TemporaryFailureError('Live events are not available in this process.');
  return streamSSE(c, async (stream) => {
    let closed = false;
    let chain = Promise.resolve();
    // One chain per stream keeps the feed's order (a `deleted` never overtakes the `nodes` before it).
    const send = (w: Promise<Wire | null>) => {
      chain = chain.then(async () => {
        const wire = await w;
        if (wire && !closed) await stream.writeSSE(wire);
      }).catch(() => { closed = true; });
    };
    let finish!: () => void;
    const done = new Promise<void>((res) => { finish = res; });
    const unsubscribe = feed.subscribe((e) => {
      if (e.kind === 'closed') {
        closed = true;
        finish();
        return;
      }
      let w = memo.get(e);
      if (!w) memo.set(e, (w = toWire(e, deps.registry)));
      send(w);
    });
    stream.onAbort(() => { closed = true; finish(); });
    send(Promise.resolve({ event: 'settings', data: JSON.stringify({ wait_timeouts: waitTimeoutsS(deps.config) }) }));
    const counts = await feed.counts();
    send(toWire({ kind: 'counts', counts }, deps.registry));
    // Comments keep proxies and browsers from dropping an idle stream.
    const beat = setInterval(() => { if (!closed) chain = chain.then(() => stream.write(': keep-alive\n\n')).then(() => undefined, () => { closed = true; }); }, HEARTBEAT_MS);
    try {
      await done;
    } finally {
      clearInterval(beat);
      unsubscribe();
      await chain;
    }
  });
}
