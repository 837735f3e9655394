// GRUB configs (UEFI PXE, loaded by shim + Debian's signed network GRUB): the node's ramdisk config, the
// local-disk config, and the fallback `grub/grub.cfg` GRUB reads when no per-MAC config exists. Paths are
// absolute on the TFTP server GRUB was loaded from.
import { lines, type RamdiskBoot } from './ramdisk-boot.js';

export function renderGrubRamdisk(b: RamdiskBoot): string {
  return lines(
    `# Anvil: ${b.label} ramdisk of node ${b.nodeUuid}`,
    `set default=${b.label}`,
    'set timeout=3',
    '',
    `menuentry "${b.label}" --id ${b.label} {`,
    `    linux /${b.kernel} ${b.commandLine}`,
    `    initrd /${b.ramdisk}`,
    '}',
  );
}

export function renderGrubLocalBoot(nodeUuid: string): string {
  return lines(
    `# Anvil: node ${nodeUuid} boots its local disk`,
    'set default=local',
    'set timeout=1',
    '',
    // Leaving GRUB hands control back to the firmware, which tries its next boot entry: the disk.
    'menuentry "local" --id local {',
    '    exit',
    '}',
  );
}

/** GRUB's last resort after the per-MAC names: a machine Anvil has no config for goes on to its next boot entry. */
export function renderGrubFallback(): string {
  return lines(
    '# Anvil: read only when no grub.cfg-01-<mac> exists for the booting NIC',
    'echo "Anvil has no network boot config for $net_default_mac"',
    'sleep 3',
    'exit',
  );
}
