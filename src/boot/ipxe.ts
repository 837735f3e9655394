// iPXE scripts: the shared `boot.ipxe` DHCP hands to iPXE clients, which chains the per-MAC script of the
// booting NIC over HTTP; the node's ramdisk script (with retries: HTTP at boot time is often flaky); and
// the local-disk script.
import { lines, type RamdiskBoot } from './ramdisk-boot.js';

/** `httpUrl`: where the HTTP root is served, no trailing slash. */
export function renderBootIpxe(httpUrl: string): string {
  return lines(
    '#!ipxe',
    '# Anvil: chains the script named by the MAC of a NIC of this machine, trying each NIC in turn',
    `chain --autofree ${httpUrl}/pxelinux.cfg/\${mac:hexhyp} || goto others`,
    ':others',
    'set netid:int32 -1',
    ':next',
    'inc netid',
    'isset ${net${netid}/mac} || goto none',
    `chain --autofree ${httpUrl}/pxelinux.cfg/\${net\${netid}/mac:hexhyp} || goto next`,
    ':none',
    'echo Anvil has no boot script for any NIC of this machine',
    'sleep 3',
    'exit',
  );
}

export function renderIpxeRamdisk(b: RamdiskBoot): string {
  return lines(
    '#!ipxe',
    `# Anvil: ${b.label} ramdisk of node ${b.nodeUuid}`,
    'set attempts:int32 10',
    'set try:int32 0',
    `:${b.label}`,
    'imgfree',
    `kernel ${b.kernel} ${b.commandLine} || goto retry`,
    `initrd ${b.ramdisk} || goto retry`,
    'boot',
    ':retry',
    'iseq ${try} ${attempts} && goto failed ||',
    'inc try',
    'echo Loading the ramdisk failed (attempt ${try} of ${attempts}), retrying in ${try} s',
    'sleep ${try}',
    `goto ${b.label}`,
    ':failed',
    'echo Could not load the ramdisk after ${attempts} attempts, powering off in 30 s',
    'sleep 30',
    'poweroff',
  );
}

export function renderIpxeLocalBoot(nodeUuid: string): string {
  return lines(
    '#!ipxe',
    `# Anvil: node ${nodeUuid} boots its local disk`,
    // UEFI: leave iPXE so the firmware tries its next boot entry; BIOS: boot the first disk's MBR.
    'iseq ${platform} efi && exit ||',
    'sanboot --no-describe --drive 0x80 || exit',
  );
}
