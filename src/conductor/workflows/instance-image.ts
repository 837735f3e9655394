// The instance image of an agent-based deploy: before the node boots into the ramdisk, the conductor works out
// where the agent will fetch the image from. With image_download_source "local" (or a file:// image) the image
// is cached here — downloaded once for every node asking, checked for format safety and checksum, converted to
// raw when needed — and the agent gets a signed URL of our image server; with "http" it goes to the origin.
import { checksumPolicy, checksumSpec } from '../../images/checksum.js';
import { agentImageUrl, progressRecorder } from '../../images/agent-images.js';
import type { Task } from '../task.js';

export async function prepareInstanceImage(task: Task): Promise<void> {
  const images = task.ctx.images;
  const info = task.node.instanceInfo;
  const source = info.image_source;
  if (!images || typeof source !== 'string' || source === '') return;
  const record = progressRecorder((p) => task.save({ driverInternalInfo: { ...task.node.driverInternalInfo, image_download_progress: p } }));
  const image = await agentImageUrl(images, task.node, {
    url: source,
    checksum: checksumSpec(info, checksumPolicy(task.ctx.config)),
    declaredFormat: typeof info.image_disk_format === 'string' ? info.image_disk_format : undefined,
    onProgress: record,
  });
  // image_url is masked in API output: for a local source it carries a signed token.
  await task.save({
    instanceInfo: { ...task.node.instanceInfo, image_url: image.url },
    driverInternalInfo: {
      ...task.node.driverInternalInfo,
      agent_image: { source: image.source, checksum: image.checksum, format: image.format ?? null, size: image.size ?? null },
    },
  });
}

/** A node that no longer runs the image lets the cache evict it. */
export async function releaseInstanceImage(task: Task): Promise<void> {
  await task.ctx.images?.cache.releaseNode(task.node.uuid);
}
