// The lab's deploy "kernel" and "ramdisk": small marker files the firmware recognises, standing in for a
// real kernel and initramfs (which the firmware accepts too, by their magic numbers) until the lab boots
// real ones. `anvil lab up` writes them; the firmware refuses anything else, as a real machine would fail
// to boot garbage.

export const KERNEL_MARKER = 'ANVIL-LAB-DEPLOY-KERNEL v1';
export const RAMDISK_MARKER = 'ANVIL-LAB-DEPLOY-RAMDISK v1';

export function markerKernel(): string {
  return `${KERNEL_MARKER}\nThe anvil lab firmware boots this file by starting anvil-agent with the kernel command line.\n`;
}

export function markerRamdisk(): string {
  return `${RAMDISK_MARKER}\nStands in for the deploy ramdisk holding anvil-agent.\n`;
}

/** Why `head` (the first KiB of a file) is not a bootable kernel, or null when it is one. */
export function kernelProblem(head: Buffer): string | null {
  if (head.subarray(0, KERNEL_MARKER.length).toString('latin1') === KERNEL_MARKER) return null;
  // x86 Linux boot protocol: "HdrS" at offset 0x202 of a bzImage.
  if (head.length >= 0x206 && head.subarray(0x202, 0x206).toString('latin1') === 'HdrS') return null;
  return 'not a Linux kernel (no bzImage header) and not the lab\'s deploy kernel';
}

/** Why `head` is not an initramfs, or null when it looks like one (cpio, gzip, xz, zstd, lz4) or the marker. */
export function ramdiskProblem(head: Buffer): string | null {
  if (head.subarray(0, RAMDISK_MARKER.length).toString('latin1') === RAMDISK_MARKER) return null;
  const magics = ['070701', '070702', '\x1f\x8b', '\xfd7zXZ', '\x28\xb5\x2f\xfd', '\x02\x21\x4c\x18'];
  if (magics.some((m) => head.subarray(0, m.length).toString('latin1') === m)) return null;
  return 'not an initramfs (cpio or compressed) and not the lab\'s deploy ramdisk';
}
