// Virtual media of the node's BMC: the VirtualMedia devices of the system (newer services) or of the manager
// that manages it, picked by media type; images inserted with VirtualMedia.InsertMedia and removed with
// EjectMedia, or by PATCHing Image/Inserted on services without the actions.
import { InvalidParameterValueError, ManagementError } from '../../common/errors.js';
import type { NodeRecord } from '../../db/records.js';
import type { DriverCall, VirtualMediaSupport, VmediaAttachment, VmediaDeviceType } from '../interfaces.js';
import type { RedfishConnection } from './redfish-client.js';
import { driverFailure, isDict, linkOf, patchResource, readResource, readSystem, type Dict } from './redfish-system.js';

/** Ironic's device types -> Redfish MediaTypes that can take them. */
const MEDIA_TYPES: Readonly<Record<VmediaDeviceType, readonly string[]>> = {
  cdrom: ['CD', 'DVD'], disk: ['USBStick'], floppy: ['Floppy'],
};

interface Device {
  readonly path: string;
  readonly body: Dict;
  readonly etag: string | null;
}

const failure = (node: NodeRecord, doing: string, err: unknown) => driverFailure(ManagementError, node, doing, err);

async function devices(node: NodeRecord): Promise<{ conn: RedfishConnection; devices: Device[] }> {
  const view = await readSystem(node);
  let collection = linkOf(view.body.VirtualMedia);
  if (!collection) {
    const managers = isDict(view.body.Links) && Array.isArray(view.body.Links.ManagedBy) ? view.body.Links.ManagedBy.map(linkOf) : [];
    for (const m of managers) {
      if (!m) continue;
      collection = linkOf((await readResource(view.conn, m)).body.VirtualMedia);
      if (collection) break;
    }
  }
  if (!collection) throw new ManagementError(`The BMC of node ${node.uuid} offers no virtual media.`);
  const members = (await readResource(view.conn, collection)).body.Members;
  const out: Device[] = [];
  for (const path of (Array.isArray(members) ? members : []).map(linkOf)) {
    if (path) out.push({ path, ...(await readResource(view.conn, path)) });
  }
  return { conn: view.conn, devices: out };
}

function deviceFor(all: readonly Device[], type: VmediaDeviceType): Device | undefined {
  return all.find((d) => Array.isArray(d.body.MediaTypes) && d.body.MediaTypes.some((t) => MEDIA_TYPES[type].includes(String(t))));
}

const action = (d: Device, name: string): string | null => {
  const a = isDict(d.body.Actions) ? d.body.Actions[name] : undefined;
  return isDict(a) && typeof a.target === 'string' ? a.target : null;
};

async function eject(conn: RedfishConnection, d: Device): Promise<void> {
  if (d.body.Inserted === false && !d.body.Image) return;
  const target = action(d, '#VirtualMedia.EjectMedia');
  if (target) await conn.post(target, {}, { idempotent: true });
  else await patchResource(conn, d.path, { Image: null, Inserted: false }, d.etag);
}

/** Inserts `url` into the node's device of `type` (ejecting what it held). @throws ManagementError */
export async function insertMedia(node: NodeRecord, type: VmediaDeviceType, url: string): Promise<void> {
  const { conn, devices: all } = await devices(node);
  const d = deviceFor(all, type);
  if (!d) throw new InvalidParameterValueError(`The BMC of node ${node.uuid} has no virtual ${type} device.`);
  if (d.body.Inserted === true && d.body.Image === url) return;
  await eject(conn, d);
  const target = action(d, '#VirtualMedia.InsertMedia');
  if (target) await conn.post(target, { Image: url, Inserted: true, WriteProtected: true }, { idempotent: true });
  else await patchResource(conn, d.path, { Image: url, Inserted: true, WriteProtected: true });
}

/** Ejects the node's devices of the given types; a type the BMC lacks is skipped. */
export async function ejectMedia(node: NodeRecord, types: readonly VmediaDeviceType[]): Promise<void> {
  const { conn, devices: all } = await devices(node);
  for (const type of types) {
    const d = deviceFor(all, type);
    if (d) await eject(conn, d);
  }
}

export const RedfishVirtualMedia: VirtualMediaSupport = {
  async attach({ node }: DriverCall, media: VmediaAttachment) {
    try {
      await insertMedia(node, media.deviceType, media.imageUrl);
    } catch (err) {
      throw failure(node, `insert virtual ${media.deviceType}`, err);
    }
  },
  async detach({ node }: DriverCall, types: readonly VmediaDeviceType[]) {
    try {
      await ejectMedia(node, types);
    } catch (err) {
      throw failure(node, 'eject virtual media', err);
    }
  },
};
