// What the ramdisk agent asks of us: lookup (which node am I, with a token issued once per ramdisk boot),
// heartbeat (I am alive at this URL: continue what waits for me) and continue_inspection (my hardware). Each is
// accepted only while the node waits for an agent, and only with the token once one was issued.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { InvalidParameterValueError, InvalidStateRequestedError, NodeNotFoundError } from '../common/errors.js';
import { normalizeMac, normalizeUuid } from '../common/ids.js';
import { log } from '../common/log.js';
import { MASK } from '../common/secrets.js';
import { nowTimestamp } from '../db/schema.js';
import type { NodeRecord } from '../db/records.js';
import type { ConductorContext } from './context.js';
import { acquireNode, type Task } from './task.js';
import { saveInventory } from './node-data.js';
import { CALLBACKS, finishInspection } from './workflows/flows.js';
import type { ProvisionState } from './states.js';

/** States in which a ramdisk may look itself up (Ironic's list, without fast-track). */
export const LOOKUP_STATES = ['deploying', 'wait call-back', 'cleaning', 'clean wait', 'inspecting', 'inspect wait', 'rescuing', 'rescue wait', 'service wait'];

export interface LookupResult {
  readonly node: NodeRecord;
  /** The token in clear the first time, the mask afterwards (a second ramdisk must not learn it). */
  readonly token: string;
}

function notFound(what: string): NodeNotFoundError {
  return new NodeNotFoundError(`Node ${what} could not be found.`);
}

/**
 * Finds the node a ramdisk runs on. The token is issued at the first lookup of a ramdisk boot whatever
 * microversion the agent speaks (Ironic ≥ 1.62 does so for every agent), so no heartbeat is ever accepted
 * without one.
 */
export async function lookupNode(ctx: ConductorContext, addresses: string | undefined, nodeUuid: string | undefined): Promise<LookupResult> {
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
  // A token already issued only needs the mask: no lock, as Ironic answers it under a shared lock. Another
  // agent looking up while the conductor works on the node (it holds the lock through write_image) gets
  // its answer instead of a 409.
  if (node.driverInternalInfo.agent_secret_token) return { node, token: MASK };
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

/** States in which a heartbeat may arrive: the node waits for (or works with) its ramdisk agent. */
const HEARTBEAT_STATES = LOOKUP_STATES;

export async function recordHeartbeat(ctx: ConductorContext, ident: string, hb: Heartbeat): Promise<void> {
  const uuid = normalizeUuid(ident);
  if (!uuid) throw new InvalidParameterValueError(`Expected a UUID but received ${ident}.`);
  const node = await ctx.tables.nodes.findBy('uuid', uuid);
  if (!node) throw notFound(ident);
  if (!HEARTBEAT_STATES.includes(node.provisionState)) {
    throw new InvalidStateRequestedError(`Node ${node.uuid} is not waiting for an agent (it is ${node.provisionState}); heartbeat refused.`);
  }
  if (!/^https?:\/\/[^\s/]+/i.test(hb.callbackUrl)) {
    throw new InvalidParameterValueError(`An agent callback URL must use http:// or https://, got ${hb.callbackUrl}`);
  }
  checkToken(node, hb.agentToken);
  if (/^http:/i.test(hb.callbackUrl) && !ctx.config.agentAllowInsecureCallback) {
    throw new InvalidParameterValueError(`Agent callback URL ${hb.callbackUrl} is plain HTTP; this service only drives agents over HTTPS (setting agentAllowInsecureCallback).`);
  }
  const stored = node.driverInternalInfo.agent_url;
  if (typeof stored === 'string' && stored !== hb.callbackUrl) {
    throw new InvalidParameterValueError(`Agent callback URL ${hb.callbackUrl} does not match the one already registered for node ${node.uuid}.`);
  }
  await acquireNode(ctx, node, 'agent heartbeat', async (task) => {
    const info = { ...task.node.driverInternalInfo, agent_url: hb.callbackUrl, agent_last_heartbeat: nowTimestamp() } as Record<string, unknown>;
    if (hb.agentVersion) info.agent_version = hb.agentVersion;
    // The certificate of the first heartbeat of a boot is the one every later call is pinned to.
    if (hb.agentVerifyCa && typeof info.agent_verify_ca !== 'string') info.agent_verify_ca = hb.agentVerifyCa;
    if (hb.agentStatus) info.agent_status = hb.agentStatus;
    if (hb.agentStatusMessage) info.agent_status_message = hb.agentStatusMessage;
    // A heartbeat proves the ramdisk lives: the wait timeouts count from here.
    await task.save({ driverInternalInfo: info, provisionUpdatedAt: nowTimestamp() });
    // As Ironic: the heartbeat of a node in maintenance is recorded and nothing more; the operator is at work.
    if (task.node.maintenance) {
      log.info('heartbeat from a node in maintenance: recorded, no action taken', { node: task.node.uuid, state: task.node.provisionState });
      return;
    }
    const next = CALLBACKS[task.node.provisionState as ProvisionState];
    if (next) task.spawnAfter((t) => next(t, { callbackUrl: hb.callbackUrl, agentVersion: hb.agentVersion }));
  });
}

/** The token issued at lookup must come back, compared in constant time; before any lookup nothing is accepted. */
function checkToken(node: NodeRecord, given: string | undefined): void {
  const expected = node.driverInternalInfo.agent_secret_token;
  if (typeof expected !== 'string') throw new InvalidParameterValueError(`Node ${node.uuid} has issued no agent token: the agent must look itself up first.`);
  if (!(given && sameToken(given, expected))) throw new InvalidParameterValueError('Invalid or missing agent token received.');
}

/**
 * POST /v1/continue_inspection: an inspection ramdisk reports the hardware. The node is found by UUID or by
 * the MACs / BMC address in the inventory, must be in `inspect wait`, gets the inventory stored and moves on
 * to manageable.
 */
export async function continueInspection(ctx: ConductorContext, nodeUuid: string | undefined, data: Record<string, unknown>, agentToken?: string): Promise<NodeRecord> {
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
  if (typeof node.driverInternalInfo.agent_secret_token === 'string') checkToken(node, agentToken);
  const { inventory: _inv, agent_token: _t, ...pluginData } = data;
  return acquireNode(ctx, node, 'continue inspection', async (task) => {
    if (acting(task)) {
      await finishInspection(task, { ...pluginData, inventory: inv });
      return task.node;
    }
    // An inspect interface that only declares itself (fake): the report is stored as it came.
    await saveInventory(ctx.tables, task.node.uuid, inv, pluginData);
    return task.fire('done', { inspectionFinishedAt: nowTimestamp(), lastError: null });
  });
}

function acting(task: Task): boolean {
  try {
    task.driver.inspect();
    return true;
  } catch {
    return false;
  }
}
