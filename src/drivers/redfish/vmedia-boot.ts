// RedfishVirtualMediaBoot (`redfish-virtual-media`): the ramdisk boots from the BMC's virtual CD instead of
// the network. The conductor builds an ISO with the deploy (or rescue) kernel and ramdisk and the kernel
// command line, serves it from Anvil's boot HTTP root (<http root>/vmedia/<node>/), inserts it into the
// virtual CD and sets a one-time Cd boot; the instance boots its disk with the media ejected. No DHCP boot
// answers and no port are needed: the agent finds its node by its MACs.
import { randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { appendParams, ramdiskCommandLine } from '../../boot/kernel-args.js';
import { log } from '../../common/log.js';
import { defineInterface, type BootInterface, type DriverTask, type RamdiskPurpose } from '../interfaces.js';
import { nodeDir } from '../pxe/boot-layout.js';
import { ramdiskUrls } from '../pxe/network-boot.js';
import { BOOT_PROPERTIES, validateRamdiskImages } from '../pxe/pxe-interfaces.js';
import { buildBootIso } from './boot-iso.js';
import { REDFISH_PROPERTIES, validateRedfishInfo } from './redfish-properties.js';
import { ejectMedia, insertMedia } from './vmedia.js';

const VMEDIA_DIR = 'vmedia';

function mediaDir(task: DriverTask): string {
  return nodeDir(join(task.env.bootFiles.httpRoot, VMEDIA_DIR), task.node.uuid);
}

/** Ejects the virtual CD and removes the node's ISO files; idempotent. */
async function cleanUp(task: DriverTask): Promise<void> {
  await ejectMedia(task.node, ['cdrom']);
  await rm(mediaDir(task), { recursive: true, force: true });
}

async function prepareRamdisk(task: DriverTask, purpose: RamdiskPurpose): Promise<void> {
  const { node, env } = task;
  const urls = ramdiskUrls(task, purpose);
  const dir = mediaDir(task);
  const kernel = join(dir, `${urls.prefix}_kernel`);
  const ramdisk = join(dir, `${urls.prefix}_ramdisk`);
  await env.bootFiles.placeImage(urls.kernel, kernel);
  await env.bootFiles.placeImage(urls.ramdisk, ramdisk);
  const commandLine = ramdiskCommandLine({
    apiUrl: env.bootFiles.apiUrl,
    requestId: task.requestId ?? `req-${randomUUID()}`,
    appendParams: appendParams(node.driverInfo.kernel_append_params, env.config.kernelAppendParams),
    // No loader names the NIC here (no BOOTIF): the agent looks its node up by all its MACs.
    bootif: 'pxelinux',
    debug: env.config.debug,
  });
  // A new name per build: a BMC may cache what it fetched under a URL it has seen.
  const name = `boot-${Date.now().toString(36)}.iso`;
  await buildBootIso(join(dir, name), { kernel, ramdisk, commandLine, label: urls.prefix });
  for (const f of await readdir(dir)) if (f.endsWith('.iso') && f !== name) await rm(join(dir, f), { force: true });
  const url = `${env.bootFiles.httpUrl}/${VMEDIA_DIR}/${node.uuid}/${name}`;
  await insertMedia(node, 'cdrom', url);
  await task.driver.management().setBootDevice(task, 'cdrom', { persistent: false });
  log.info('virtual media boot prepared', { node: node.uuid, purpose, url });
}

export const RedfishVirtualMediaBoot: BootInterface = defineInterface<BootInterface>({
  kind: 'boot',
  name: 'redfish-virtual-media',
  networkBoot: false,
  properties: { ...REDFISH_PROPERTIES, ...BOOT_PROPERTIES },
  async validate(ctx) {
    validateRedfishInfo(ctx);
    await validateRamdiskImages(ctx);
  },
  prepareRamdisk,
  cleanUpRamdisk: cleanUp,
  async prepareInstance(task) {
    await cleanUp(task);
    await task.driver.management().setBootDevice(task, 'disk', { persistent: true });
  },
  cleanUpInstance: cleanUp,
});
