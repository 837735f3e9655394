// What the `pxe` and `ipxe` boot interfaces do for one node: place the ramdisk's kernel and initrd, render
// the loader config of the node's boot mode and link it under every PXE-enabled MAC, ask DHCP to answer
// those MACs with the loader, and set the boot device — then undo all of it (Ironic's pxe_base/pxe_utils).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { renderBootIpxe, renderIpxeLocalBoot, renderIpxeRamdisk } from '../../boot/ipxe.js';
import { renderGrubFallback, renderGrubLocalBoot, renderGrubRamdisk } from '../../boot/grub.js';
import { appendParams, ramdiskCommandLine } from '../../boot/kernel-args.js';
import { renderPxelinuxLocalBoot, renderPxelinuxRamdisk } from '../../boot/pxelinux.js';
import type { RamdiskBoot } from '../../boot/ramdisk-boot.js';
import { MissingParameterValueError } from '../../common/errors.js';
import { log } from '../../common/log.js';
import { nodeBootMode, type BootMode } from '../boot-mode.js';
import type { BootFilesEnvironment, DhcpBootOptions, DriverTask, RamdiskPurpose } from '../interfaces.js';
import { linkAtomic, macLinks, nodeDir, removeNodeFiles, styleRoot, writeFileAtomic, type BootStyle } from './boot-layout.js';
import { firmwareLoader, requireLoader } from './loaders.js';

export type NetworkBootKind = 'pxe' | 'ipxe';

/** PXELINUX for BIOS and GRUB for UEFI under `pxe`; iPXE scripts in both modes under `ipxe`. */
export function bootStyle(kind: NetworkBootKind, mode: BootMode): BootStyle {
  if (kind === 'ipxe') return 'ipxe';
  return mode === 'uefi' ? 'grub' : 'pxelinux';
}

/** MACs of the ports the node network-boots from. */
export function pxeMacs(task: Pick<DriverTask, 'ports'>): string[] {
  return task.ports.filter((p) => p.pxeEnabled).map((p) => p.address);
}

const RENDER: Readonly<Record<BootStyle, { ramdisk: (b: RamdiskBoot) => string; local: (uuid: string) => string }>> = {
  pxelinux: { ramdisk: renderPxelinuxRamdisk, local: renderPxelinuxLocalBoot },
  grub: { ramdisk: renderGrubRamdisk, local: renderGrubLocalBoot },
  ipxe: { ramdisk: renderIpxeRamdisk, local: renderIpxeLocalBoot },
};

/** The shared entry files: `boot.ipxe` that chains per-MAC scripts, GRUB's fallback `grub/grub.cfg`. */
export async function writeSharedBootFiles(files: Pick<BootFilesEnvironment, 'tftpRoot' | 'httpRoot' | 'httpUrl'>): Promise<void> {
  await writeFileAtomic(join(files.httpRoot, 'boot.ipxe'), renderBootIpxe(files.httpUrl));
  await writeFileAtomic(join(files.tftpRoot, 'grub', 'grub.cfg'), renderGrubFallback());
}

/** The kernel/ramdisk pair a purpose boots: rescue has its own, every other purpose runs the deploy agent. */
export function ramdiskUrls(task: DriverTask, purpose: RamdiskPurpose): { prefix: 'deploy' | 'rescue'; kernel: string; ramdisk: string } {
  const prefix = purpose === 'rescue' ? 'rescue' : 'deploy';
  const info = task.node.driverInfo;
  const kernel = info[`${prefix}_kernel`];
  const ramdisk = info[`${prefix}_ramdisk`];
  const missing = [`${prefix}_kernel`, `${prefix}_ramdisk`].filter((k) => typeof info[k] !== 'string' || !info[k]);
  if (missing.length) throw new MissingParameterValueError(`Node ${task.node.uuid} is missing the following driver_info: ${missing.join(', ')}`);
  return { prefix, kernel: kernel as string, ramdisk: ramdisk as string };
}

function requireMacs(task: DriverTask): string[] {
  const macs = pxeMacs(task);
  if (!macs.length) throw new MissingParameterValueError(`Node ${task.node.uuid} has no port with pxe_enabled to network boot from`);
  return macs;
}

async function writeAndLink(task: DriverTask, style: BootStyle, macs: readonly string[], content: string): Promise<void> {
  const { bootFiles } = task.env;
  const config = join(nodeDir(styleRoot(bootFiles, style), task.node.uuid), 'config');
  await writeFileAtomic(config, content);
  for (const mac of macs) {
    for (const link of macLinks(bootFiles, style, mac)) await linkAtomic(config, link);
  }
}

function dhcpOptions(task: DriverTask, kind: NetworkBootKind, mode: BootMode): DhcpBootOptions {
  const tftpServer = task.env.config.tftpServer;
  return {
    bootMode: mode, bootFile: firmwareLoader(kind, mode),
    ...(kind === 'ipxe' ? { ipxeScriptUrl: `${task.env.bootFiles.httpUrl}/boot.ipxe` } : {}),
    ...(tftpServer ? { tftpServer } : {}),
  };
}

/** Removes every boot file and DHCP entry of the node (idempotent). */
export async function cleanNodeBoot(task: DriverTask): Promise<void> {
  const macs = task.ports.map((p) => p.address);
  await removeNodeFiles(task.env.bootFiles, task.node.uuid, macs);
  await task.env.dhcp.cleanNode(task.node.uuid, macs);
}

export async function prepareRamdisk(kind: NetworkBootKind, task: DriverTask, purpose: RamdiskPurpose): Promise<void> {
  const { node, env } = task;
  const mode = nodeBootMode(node);
  const style = bootStyle(kind, mode);
  const macs = requireMacs(task);
  const urls = ramdiskUrls(task, purpose);
  const options = dhcpOptions(task, kind, mode);
  await requireLoader(env.bootFiles.tftpRoot, options.bootFile as Parameters<typeof requireLoader>[1]);
  // Whatever an earlier boot (another mode, a MAC since removed) left must not answer any more.
  await removeNodeFiles(env.bootFiles, node.uuid, task.ports.map((p) => p.address));
  const root = styleRoot(env.bootFiles, style);
  const dir = nodeDir(root, node.uuid);
  const kernelName = `${urls.prefix}_kernel`;
  const ramdiskName = `${urls.prefix}_ramdisk`;
  await env.bootFiles.placeImage(urls.kernel, join(dir, kernelName));
  await env.bootFiles.placeImage(urls.ramdisk, join(dir, ramdiskName));
  // PXELINUX paths are relative to the TFTP root (where pxelinux.0 is), GRUB's absolute on the TFTP
  // server (the renderer adds the slash), iPXE's are URLs.
  const where = (name: string) => (style === 'ipxe' ? `${env.bootFiles.httpUrl}/${node.uuid}/${name}` : `${node.uuid}/${name}`);
  const commandLine = ramdiskCommandLine({
    apiUrl: env.bootFiles.apiUrl,
    requestId: task.requestId ?? `req-${randomUUID()}`,
    appendParams: appendParams(node.driverInfo.kernel_append_params, env.config.kernelAppendParams),
    bootif: style,
    debug: env.config.debug,
    // EFI stub kernels loaded by iPXE find their initrd only by this name.
    ...(style === 'ipxe' ? { initrdName: ramdiskName } : {}),
  });
  const label = urls.prefix;
  await writeAndLink(task, style, macs, RENDER[style].ramdisk({ nodeUuid: node.uuid, label, kernel: where(kernelName), ramdisk: where(ramdiskName), commandLine }));
  await writeSharedBootFiles(env.bootFiles);
  await env.dhcp.updatePorts(node.uuid, task.ports.filter((p) => p.pxeEnabled), options);
  await task.driver.management().setBootDevice(task, 'pxe', { persistent: false });
  log.info('network boot prepared', { node: node.uuid, purpose, style, mode, macs });
}

/** Ironic's driver_info force_persistent_boot_device: "Never" keeps the disk boot one-time. */
function persistentDisk(task: DriverTask): boolean {
  return String(task.node.driverInfo.force_persistent_boot_device ?? 'Default').toLowerCase() !== 'never';
}

export async function prepareInstance(kind: NetworkBootKind, task: DriverTask): Promise<void> {
  await cleanNodeBoot(task);
  if (task.env.config.networkBootLocalDisk) {
    // The machine will network-boot anyway: answer it with a config that boots its disk.
    const mode = nodeBootMode(task.node);
    const style = bootStyle(kind, mode);
    const macs = pxeMacs(task);
    await writeAndLink(task, style, macs, RENDER[style].local(task.node.uuid));
    await task.env.dhcp.updatePorts(task.node.uuid, task.ports.filter((p) => p.pxeEnabled), dhcpOptions(task, kind, mode));
  }
  await task.driver.management().setBootDevice(task, 'disk', { persistent: persistentDisk(task) });
}
