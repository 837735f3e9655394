// The node's ComputerSystem on its BMC: found from the service root (the configured redfish_system_id, or
// the only member of Systems), read with its ETag, changed with If-Match, and the ResetType values it
// advertises (`ResetType@Redfish.AllowableValues`, else its `@Redfish.ActionInfo`).
import { InvalidParameterValueError, MissingParameterValueError } from '../../common/errors.js';
import type { NodeRecord } from '../../db/records.js';
import { redfishConnection, type CallOptions, type RedfishConnection, type RedfishTuning } from './redfish-client.js';
import { RedfishError } from './redfish-error.js';
import type { Config } from '../../common/config.js';
import { parseRedfishSettings, type RedfishAuthType } from './redfish-settings.js';

export type Dict = Record<string, unknown>;
export const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The @odata.id of a link property (`{"@odata.id": "/redfish/v1/…"}`), or null. */
export function linkOf(v: unknown): string | null {
  return isDict(v) && typeof v['@odata.id'] === 'string' ? v['@odata.id'] : null;
}

/** Every ResetType DSP0268 defines; a system that does not say which it takes is assumed to take these. */
export const ALL_RESET_TYPES = ['On', 'ForceOff', 'GracefulShutdown', 'GracefulRestart', 'ForceRestart', 'Nmi', 'ForceOn',
  'PushPowerButton', 'PowerCycle'] as const;

export interface SystemView {
  readonly conn: RedfishConnection;
  readonly path: string;
  readonly body: Dict;
  readonly etag: string | null;
}

let tuningOverride: RedfishTuning | undefined;
let defaultAuthType: RedfishAuthType = 'auto';
/** The service sets the tuning from its settings at start; tests shorten timeouts and backoff with it. */
export function setRedfishTuning(tuning: RedfishTuning | undefined): void {
  tuningOverride = tuning;
}

/** Applies the service's redfish* settings (one configuration per process, like Ironic's [redfish] section). */
export function configureRedfish(config: Pick<Config, 'redfishAuthType' | 'redfishConnectionAttempts' | 'redfishConnectionRetryInterval' | 'redfishRequestTimeout'>): void {
  defaultAuthType = config.redfishAuthType as RedfishAuthType;
  const maxBackoffMs = config.redfishConnectionRetryInterval * 1000;
  setRedfishTuning({
    requestTimeoutS: config.redfishRequestTimeout, attempts: config.redfishConnectionAttempts,
    initialBackoffMs: Math.min(500, maxBackoffMs), maxBackoffMs,
  });
}

export function connectionFor(node: NodeRecord): RedfishConnection {
  return redfishConnection(parseRedfishSettings(node.driverInfo, defaultAuthType), tuningOverride);
}

const resolved = new WeakMap<RedfishConnection, Map<string, string>>();

/** The system's path: redfish_system_id as given, or the Systems collection's only member. */
export async function systemPath(conn: RedfishConnection, wanted: string | null, opts: CallOptions = {}): Promise<string> {
  if (wanted) return wanted;
  const known = resolved.get(conn)?.get('');
  if (known) return known;
  const collection = linkOf((await conn.root(opts)).Systems) ?? '/redfish/v1/Systems';
  const res = await conn.get(collection, opts);
  const members = isDict(res.body) && Array.isArray(res.body.Members) ? res.body.Members.map(linkOf).filter((m): m is string => !!m) : [];
  if (members.length !== 1) {
    throw new InvalidParameterValueError(members.length === 0
      ? `BMC ${conn.bmc} lists no systems in ${collection}.`
      : `BMC ${conn.bmc} has ${members.length} systems (${members.join(', ')}): set redfish_system_id to the one of this node.`);
  }
  let byId = resolved.get(conn);
  if (!byId) resolved.set(conn, (byId = new Map()));
  byId.set('', members[0]!);
  return members[0]!;
}

export async function readResource(conn: RedfishConnection, path: string, opts: CallOptions = {}): Promise<{ body: Dict; etag: string | null }> {
  const res = await conn.get(path, opts);
  if (!isDict(res.body)) throw new RedfishError(`BMC ${conn.bmc} answered GET ${path} with no JSON object.`, 'protocol');
  return { body: res.body, etag: res.etag };
}

export async function readSystem(node: NodeRecord, opts: CallOptions = {}): Promise<SystemView> {
  const conn = connectionFor(node);
  // The system is the node's, not the connection's: nodes on one BMC (one connection) name different systems.
  const path = await systemPath(conn, parseRedfishSettings(node.driverInfo).systemId, opts);
  const { body, etag } = await readResource(conn, path, opts);
  return { conn, path, body, etag };
}

/**
 * PATCHes `path` with the ETag of a fresh read. When the BMC says the ETag is stale (412) or missing (428),
 * reads again and tries once more: another client may have changed the resource in between.
 */
export async function patchResource(conn: RedfishConnection, path: string, update: Dict, etag?: string | null, opts: CallOptions = {}): Promise<void> {
  let tag = etag === undefined ? (await readResource(conn, path, opts)).etag : etag;
  try {
    await conn.patch(path, update, tag, opts);
  } catch (err) {
    if (!(err instanceof RedfishError) || (err.status !== 412 && err.status !== 428)) throw err;
    tag = (await readResource(conn, path, opts)).etag;
    if (!tag) throw err;
    await conn.patch(path, update, tag, opts);
  }
}

/** The system's Reset action target and the ResetType values it advertises. */
export async function resetAction(view: SystemView, opts: CallOptions = {}): Promise<{ target: string; allowed: readonly string[] }> {
  const actions = isDict(view.body.Actions) ? view.body.Actions : {};
  const reset = actions['#ComputerSystem.Reset'];
  if (!isDict(reset) || typeof reset.target !== 'string') {
    throw new RedfishError(`System ${view.path} on BMC ${view.conn.bmc} offers no #ComputerSystem.Reset action.`, 'protocol');
  }
  const listed = reset['ResetType@Redfish.AllowableValues'];
  if (Array.isArray(listed)) return { target: reset.target, allowed: listed.filter((v): v is string => typeof v === 'string') };
  const infoPath = typeof reset['@Redfish.ActionInfo'] === 'string' ? reset['@Redfish.ActionInfo'] : null;
  if (infoPath) {
    const info = (await readResource(view.conn, infoPath, opts)).body;
    const param = (Array.isArray(info.Parameters) ? info.Parameters : []).find((p) => isDict(p) && p.Name === 'ResetType');
    if (isDict(param) && Array.isArray(param.AllowableValues)) {
      return { target: reset.target, allowed: param.AllowableValues.filter((v): v is string => typeof v === 'string') };
    }
  }
  return { target: reset.target, allowed: ALL_RESET_TYPES };
}

/**
 * A caught failure as the interface's error (`PowerError`, `ManagementError`…) naming node and action;
 * validation errors pass unchanged (they are the user's to fix). RedfishError messages are already scrubbed.
 */
export function driverFailure(kind: new (message: string, opts?: { cause?: unknown }) => Error, node: NodeRecord, doing: string, err: unknown): Error {
  if (err instanceof kind || err instanceof InvalidParameterValueError || err instanceof MissingParameterValueError) return err as Error;
  return new kind(`Failed to ${doing} for node ${node.uuid}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
