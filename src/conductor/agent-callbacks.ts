// What the ramdisk agent asks of us: lookup (which node am I, with a one-time token) and heartbeat (I am
// alive at this URL). Both refresh the wait timers; driving deploy/clean steps through the agent builds on
// the agent URL stored here.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { InvalidParameterValueError, NodeNotFoundError } from '../common/errors.js';
import { normalizeMac, normalizeUuid } from '../common/ids.js';
import { MASK } from '../common/secrets.js';
import { nowTimestamp } from '../db/schema.js';
import type { NodeRecord } from '../db/records.js';
import type { ConductorContext } from './context.js';
import { acquireNode } from './task.js';
import { saveInventory } from './node-data.js';

/** States in which a ramdisk may look itself up (Ironic's list, without fast-track). */
export const LOOKUP_STATES = ['deploying', 'wait call-back', 'cleaning', 'clean wait', 'inspecting', 'inspect wait', 'rescuing', 'rescue wait', 'service wait'];

export interface LookupResult {
  readonly node: NodeRecord;
  /** The token in clear the first time, the mask afterwards (a second ramdisk must not learn it). */
  readonly token: string | null;
}

function notFound(what: string): NodeNotFoundError {
  return new NodeNotFoundError(`Node ${what} could not be found.`);
}

export async function lookupNode(ctx: ConductorContext, addresses: string | undefined, nodeUuid: string | undefined, issueToken: boolean): Promise<LookupResult> {
  const macs = (addresses ?? '').split(',').map((a) => normalizeMac(a.trim())).filter((m): m is string => m !== null);
  const uuid = nodeUuid ? normalizeUuid(nodeUuid) : null;
  if (nodeUuid && !uuid) throw new InvalidParameterValueError(`Expected a UUID for node_uuid but received ${nodeUuid}.`);
  if (!uuid && macs.length === 0) {
    throw new InvalidParameterValueError('Incomplete lookup request: at least one valid MAC address or the node UUID is required.');
  }
  let node: NodeRecord | null = null;
  if (uuid) node = await ctx.tables.nodes.findBy('uuid', uuid);
  else {
    const ports = await ctx.tables.ports.list({ filters: [{ col: 'address', op: 'in', value: macs }] });
    const owners = [...new Set(ports.map((p) => p.nodeUuid))];
    if (owners.length === 1) node = await ctx.tables.nodes.findBy('uuid', owners[0]!);
  }
  const label = uuid ?? `with addresses ${macs.join(',')}`;
  if (!node || !LOOKUP_STATES.includes(node.provisionState)) throw notFound(label);
  if (!issueToken) return { node, token: null };
  return acquireNode(ctx, node, 'agent lookup', async (task) => {
    if (task.node.driverInternalInfo.agent_secret_token) return { node: task.node, token: MASK };
    // 32 random bytes -> 43 URL-safe characters; the agent ignores tokens shorter than 32.
    const token = randomBytes(32).toString('base64url');
    const saved = await task.save({ driverInternalInfo: { ...task.node.driverInternalInfo, agent_secret_token: token } });
    return { node: saved, token };
  });
}

export interface Heartbeat {
  readonly callbackUrl: string;
  readonly agentToken?: string;
  readonly agentVersion?: string;
  readonly agentVerifyCa?: string;
  readonly agentStatus?: string;
  readonly agentStatusMessage?: string;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function recordHeartbeat(ctx: ConductorContext, ident: string, hb: Heartbeat): Promise<void> {
  const uuid = normalizeUuid(ident);
  if (!uuid) throw new InvalidParameterValueError(`Expected a UUID but received ${ident}.`);
  const node = await ctx.tables.nodes.findBy('uuid', uuid);
  if (!node) throw notFound(ident);
  if (!/^https?:\/\/[^\s/]+/i.test(hb.callbackUrl)) {
    throw new InvalidParameterValueError(`An agent callback URL must use http:// or https://, got ${hb.callbackUrl}`);
  }
  const expected = node.driverInternalInfo.agent_secret_token;
  if (typeof expected === 'string' && !(hb.agentToken && sameToken(hb.agentToken, expected))) {
    throw new InvalidParameterValueError('Invalid or missing agent token received.');
  }
  const stored = node.driverInternalInfo.agent_url;
  if (typeof stored === 'string' && stored !== hb.callbackUrl && LOOKUP_STATES.includes(node.provisionState)) {
    throw new InvalidParameterValueError(`Agent callback URL ${hb.callbackUrl} does not match the one already registered for node ${node.uuid}.`);
  }
  await acquireNode(ctx, node, 'agent heartbeat', async (task) => {
    const info = { ...task.node.driverInternalInfo, agent_url: hb.callbackUrl, agent_last_heartbeat: nowTimestamp() } as Record<string, unknown>;
    if (hb.agentVersion) info.agent_version = hb.agentVersion;
    if (hb.agentVerifyCa) info.agent_verify_ca = hb.agentVerifyCa;
    if (hb.agentStatus) info.agent_status = hb.agentStatus;
    if (hb.agentStatusMessage) info.agent_status_message = hb.agentStatusMessage;
    const changes: Partial<NodeRecord> = { driverInternalInfo: info };
    // A heartbeat proves the ramdisk lives: the wait timeouts count from here.
    if (LOOKUP_STATES.includes(task.node.provisionState)) changes.provisionUpdatedAt = nowTimestamp();
    await task.save(changes);
  });
}

/**
 * POST /v1/continue_inspection: an inspection ramdisk reports the hardware. The node is found by UUID or by
 * the MACs / BMC address in the inventory, must be in `inspect wait`, gets the inventory stored and moves on
 * to manageable.
 */
export async function continueInspection(ctx: ConductorContext, nodeUuid: string | undefined, data: Record<string, unknown>): Promise<NodeRecord> {
  const inventory = data.inventory;
  if (!inventory || typeof inventory !== 'object' || Array.isArray(inventory)) {
    throw new InvalidParameterValueError('Inspection data must hold an "inventory" object.');
  }
  const inv = inventory as Record<string, unknown>;
  const macs = Array.isArray(inv.interfaces)
    ? (inv.interfaces as unknown[]).map((i) => normalizeMac(String((i as Record<string, unknown>)?.mac_address ?? ''))).filter((m): m is string => m !== null)
    : [];
  let node: NodeRecord | null = null;
  if (nodeUuid) {
    const uuid = normalizeUuid(nodeUuid);
    if (!uuid) throw new InvalidParameterValueError(`Expected a UUID for node_uuid but received ${nodeUuid}.`);
    node = await ctx.tables.nodes.findBy('uuid', uuid);
  } else if (macs.length) {
    const ports = await ctx.tables.ports.list({ filters: [{ col: 'address', op: 'in', value: macs }] });
    const owners = [...new Set(ports.map((p) => p.nodeUuid))];
    if (owners.length === 1) node = await ctx.tables.nodes.findBy('uuid', owners[0]!);
  }
  if (!node && typeof inv.bmc_address === 'string' && inv.bmc_address) {
    const waiting = await ctx.tables.nodes.list({ filters: [{ col: 'provisionState', op: 'eq', value: 'inspect wait' }] });
    const matches = waiting.filter((n) => Object.entries(n.driverInfo).some(([k, v]) => k.endsWith('_address') && v === inv.bmc_address));
    if (matches.length === 1) node = matches[0]!;
  }
  if (!node || node.provisionState !== 'inspect wait') throw notFound(nodeUuid ?? `with addresses ${macs.join(',')}`);
  const { inventory: _inv, ...pluginData } = data;
  return acquireNode(ctx, node, 'continue inspection', async (task) => {
    await saveInventory(ctx.tables, task.node.uuid, inv, pluginData);
    return task.fire('done', { inspectionFinishedAt: nowTimestamp(), lastError: null });
  });
}
