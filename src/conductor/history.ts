// Node history (GET /v1/nodes/{node}/history): failures and notable events, written by the conductor.
import { newUuid } from '../common/ids.js';
import { nowTimestamp } from '../db/schema.js';
import type { NodeRecord } from '../db/records.js';
import type { ConductorContext } from './context.js';

export interface HistoryEvent {
  readonly severity: 'ERROR' | 'WARNING' | 'INFO';
  readonly event: string;
  readonly eventType: string;
}

export async function recordHistory(ctx: Pick<ConductorContext, 'tables' | 'registry'>, node: NodeRecord, e: HistoryEvent): Promise<void> {
  await ctx.tables.nodeHistory.insert({
    uuid: newUuid(), nodeUuid: node.uuid, severity: e.severity, event: e.event, eventType: e.eventType,
    conductor: ctx.registry.hostname, user: null, createdAt: nowTimestamp(),
  });
}
