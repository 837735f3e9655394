// Node history (GET /v1/nodes/{node}/history): failures, notable events and every state-changing API request,
// written by the conductor, each with who caused it (the request's user and project, carried by
// common/request-actor.ts also into the background work a request started).
import { newUuid, normalizeUuid } from '../common/ids.js';
import { currentActor, describeActor } from '../common/request-actor.js';
import { nowTimestamp } from '../db/schema.js';
import type { NodeRecord } from '../db/records.js';
import type { ConductorContext } from './context.js';

export interface HistoryEvent {
  readonly severity: 'ERROR' | 'WARNING' | 'INFO';
  readonly event: string;
  readonly eventType: string;
}

export async function recordHistory(ctx: Pick<ConductorContext, 'tables' | 'registry'>, node: Pick<NodeRecord, 'uuid'>, e: HistoryEvent): Promise<void> {
  await ctx.tables.nodeHistory.insert({
    uuid: newUuid(), nodeUuid: node.uuid, severity: e.severity, event: e.event, eventType: e.eventType,
    conductor: ctx.registry.hostname, user: describeActor(currentActor()), createdAt: nowTimestamp(),
  });
}

/** History record for an API action on the node named by `ident` (UUID or name); no-op if it is gone. */
export async function recordNodeAction(ctx: Pick<ConductorContext, 'tables' | 'registry'>, ident: string, e: HistoryEvent): Promise<void> {
  // findNode's lookup, reading only the UUID: every write request through the API comes here.
  const uuid = normalizeUuid(ident);
  const node = await ctx.tables.nodes.findColumnsBy(uuid ? 'uuid' : 'name', uuid ?? ident, ['uuid']);
  if (node) await recordHistory(ctx, node as Pick<NodeRecord, 'uuid'>, e);
}
