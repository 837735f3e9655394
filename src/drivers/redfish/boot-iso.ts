// The ISO a virtual-media boot inserts: the ramdisk's kernel (/vmlinuz) and initrd (/initrd) with the
// kernel command line in both loader configs (/isolinux/isolinux.cfg for BIOS, /boot/grub/grub.cfg for
// UEFI), built by Debian's genisoimage with Rock Ridge and Joliet names. When Debian's ISOLINUX is installed
// (packages isolinux, syslinux-common) the ISO also gets an El Torito BIOS boot record.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { genisoimage } from '../../images/iso.js';

const ISOLINUX_BIN = '/usr/lib/ISOLINUX/isolinux.bin';
const LDLINUX = '/usr/lib/syslinux/modules/bios/ldlinux.c32';

export interface BootIsoContent {
  readonly kernel: string;
  readonly ramdisk: string;
  readonly commandLine: string;
  /** The menu entry's name. */
  readonly label: string;
}

export function renderIsolinuxConfig(c: BootIsoContent): string {
  return `DEFAULT ${c.label}\nPROMPT 0\nTIMEOUT 0\n\nLABEL ${c.label}\n  KERNEL /vmlinuz\n  APPEND initrd=/initrd ${c.commandLine}\n`;
}

export function renderGrubIsoConfig(c: BootIsoContent): string {
  return `set default=0\nset timeout=0\n\nmenuentry "${c.label}" {\n  linux /vmlinuz ${c.commandLine}\n  initrd /initrd\n}\n`;
}

/** Writes the ISO to `dest` (atomically: a booting BMC never fetches half an image). */
export async function buildBootIso(dest: string, c: BootIsoContent): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const work = await mkdtemp(join(dirname(dest), '.iso-'));
  try {
    const root = join(work, 'root');
    await mkdir(join(root, 'isolinux'), { recursive: true });
    await mkdir(join(root, 'boot', 'grub'), { recursive: true });
    await writeFile(join(root, 'isolinux', 'isolinux.cfg'), renderIsolinuxConfig(c));
    await writeFile(join(root, 'boot', 'grub', 'grub.cfg'), renderGrubIsoConfig(c));
    const bootable = existsSync(ISOLINUX_BIN) && existsSync(LDLINUX);
    if (bootable) {
      // Copies, not graft points: -boot-info-table patches isolinux.bin in place.
      await copyFile(ISOLINUX_BIN, join(root, 'isolinux', 'isolinux.bin'));
      await copyFile(LDLINUX, join(root, 'isolinux', 'ldlinux.c32'));
    }
    const out = join(work, 'boot.iso');
    await genisoimage([
      '-quiet', '-o', out, '-r', '-J', '-V', 'VMEDIA_BOOT_ISO', '-publisher', 'Anvil',
      ...(bootable ? ['-b', 'isolinux/isolinux.bin', '-c', 'isolinux/boot.cat', '-no-emul-boot', '-boot-load-size', '4', '-boot-info-table'] : []),
      '-graft-points', `vmlinuz=${c.kernel}`, `initrd=${c.ramdisk}`, root,
    ], 'the boot ISO');
    await rename(out, dest);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
