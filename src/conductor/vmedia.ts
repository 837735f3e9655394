// Virtual media (API 1.89): inserting an image into, or ejecting it from, the BMC's virtual cdrom, disk or
// floppy. Refused up front when the management interface has no virtual media; otherwise, as in Ironic,
// the work runs in the background holding the node lock and a failure lands in `last_error`. What is
// attached is remembered in driver_internal_info `vmedia` (device type -> image), for later detach and GET.
import { InvalidParameterValueError } from '../common/errors.js';
import { log } from '../common/log.js';
import type { NodeRecord } from '../db/records.js';
import { VMEDIA_DEVICE_TYPES, type VmediaAttachment, type VmediaDeviceType } from '../drivers/interfaces.js';
import type { ConductorContext } from './context.js';
import { requireManagementCapability } from './driver-extras.js';
import { acquireNode, type Task } from './task.js';

export const IMAGE_DOWNLOAD_SOURCES = ['http', 'local', 'swift'] as const;

function attachments(node: NodeRecord): Record<string, unknown> {
  const v = node.driverInternalInfo.vmedia;
  return v && typeof v === 'object' && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {};
}

/** What the API passes on: the request fields, not yet checked. */
export interface VmediaRequest {
  readonly deviceType: string;
  readonly imageUrl: string;
  readonly imageDownloadSource: string;
}

const isDeviceType = (d: string): d is VmediaDeviceType => (VMEDIA_DEVICE_TYPES as readonly string[]).includes(d);

/** Checks the request fields. @throws InvalidParameterValueError (400). */
export function checkAttachment(req: VmediaRequest): VmediaAttachment {
  if (!isDeviceType(req.deviceType)) {
    throw new InvalidParameterValueError(`Invalid device_type ${req.deviceType}; valid types are: ${VMEDIA_DEVICE_TYPES.join(', ')}.`);
  }
  let url: URL | null = null;
  try { url = new URL(req.imageUrl); } catch { /* reported below */ }
  // The BMC fetches the image itself, over HTTP(S); anything else cannot be mounted.
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new InvalidParameterValueError(`image_url must be an http:// or https:// URL, got "${req.imageUrl}".`);
  }
  if (!(IMAGE_DOWNLOAD_SOURCES as readonly string[]).includes(req.imageDownloadSource)) {
    throw new InvalidParameterValueError(`Invalid image_download_source ${req.imageDownloadSource}; valid sources are: ${IMAGE_DOWNLOAD_SOURCES.join(', ')}.`);
  }
  return { deviceType: req.deviceType, imageUrl: req.imageUrl, imageDownloadSource: req.imageDownloadSource };
}

async function recordFailure(task: Task, what: string, err: unknown): Promise<void> {
  const message = `${what} on node ${task.node.uuid} failed: ${(err as Error).message}`;
  await task.save({ lastError: message });
  log.warn('virtual media action failed', { node: task.node.uuid, error: (err as Error).message });
}

/** POST /vmedia. */
export async function attachVirtualMedia(ctx: ConductorContext, node: NodeRecord, req: VmediaRequest): Promise<void> {
  const media = checkAttachment(req);
  await acquireNode(ctx, node, 'attaching virtual media', async (task) => {
    const cap = requireManagementCapability(task.driver, 'virtualMedia', node.uuid);
    await task.save({ lastError: null });
    task.spawnAfter(async (t) => {
      try {
        await cap.attach({ node: t.node }, media);
        const vmedia = { ...attachments(t.node), [media.deviceType]: { image_url: media.imageUrl, image_download_source: media.imageDownloadSource } };
        await t.save({ driverInternalInfo: { ...t.node.driverInternalInfo, vmedia } });
      } catch (err) {
        await recordFailure(t, `Attaching virtual media ${media.deviceType}`, err);
      }
    });
  });
}

/** DELETE /vmedia[?device_types=…]; all device types when none are named. */
export async function detachVirtualMedia(ctx: ConductorContext, node: NodeRecord, requested: readonly string[]): Promise<void> {
  const deviceTypes: VmediaDeviceType[] = [];
  for (const d of requested) {
    if (!isDeviceType(d)) throw new InvalidParameterValueError(`Invalid device type ${d}; valid types are: ${VMEDIA_DEVICE_TYPES.join(', ')}.`);
    deviceTypes.push(d);
  }
  await acquireNode(ctx, node, 'detaching virtual media', async (task) => {
    const cap = requireManagementCapability(task.driver, 'virtualMedia', node.uuid);
    await task.save({ lastError: null });
    task.spawnAfter(async (t) => {
      try {
        await cap.detach({ node: t.node }, deviceTypes);
        const vmedia = attachments(t.node);
        for (const d of deviceTypes) delete vmedia[d];
        await t.save({ driverInternalInfo: { ...t.node.driverInternalInfo, vmedia } });
      } catch (err) {
        await recordFailure(t, `Detaching virtual media ${deviceTypes.join(', ')}`, err);
      }
    });
  });
}
