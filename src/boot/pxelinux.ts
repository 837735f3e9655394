// PXELINUX configs (BIOS PXE): the node's ramdisk config and the "boot the local disk" config used when a
// network config stays in place after deploy. Paths are relative to the TFTP root, where pxelinux.0 sits.
import { lines, type RamdiskBoot } from './ramdisk-boot.js';

export function renderPxelinuxRamdisk(b: RamdiskBoot): string {
  return lines(
    `# Anvil: ${b.label} ramdisk of node ${b.nodeUuid}`,
    `default ${b.label}`,
    '',
    `label ${b.label}`,
    `  kernel ${b.kernel}`,
    `  append initrd=${b.ramdisk} ${b.commandLine}`,
    // "ipappend 2" makes PXELINUX add BOOTIF=01-<mac of the booting NIC>, so one config serves every MAC.
    '  ipappend 2',
  );
}

export function renderPxelinuxLocalBoot(nodeUuid: string): string {
  return lines(
    `# Anvil: node ${nodeUuid} boots its local disk`,
    'default local',
    '',
    'label local',
    '  localboot 0',
  );
}
