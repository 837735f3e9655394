// The network loaders Anvil hands to firmware, taken from Debian's packages (installed by
// scripts/install-deps.sh) and copied into the TFTP root at start. A loader that is missing makes only
// the nodes that need it fail, with the package to install named in the error.
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PxeBootFailureError } from '../../common/errors.js';
import { log } from '../../common/log.js';

interface LoaderSource {
  readonly path: string;
  readonly pkg: string;
  /** Loaded by this one from the same directory, so it must be there too. */
  readonly needs?: string;
}

export const LOADERS = {
  'pxelinux.0': { path: '/usr/lib/PXELINUX/pxelinux.0', pkg: 'pxelinux', needs: 'ldlinux.c32' },
  'ldlinux.c32': { path: '/usr/lib/syslinux/modules/bios/ldlinux.c32', pkg: 'syslinux-common' },
  'shimx64.efi': { path: '/usr/lib/shim/shimx64.efi.signed', pkg: 'shim-signed', needs: 'grubx64.efi' },
  // Debian's network GRUB image (netboot modules built in), signed for secure boot; shim loads it by this name.
  'grubx64.efi': { path: '/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed', pkg: 'grub-efi-amd64-signed' },
  'undionly.kpxe': { path: '/usr/lib/ipxe/undionly.kpxe', pkg: 'ipxe' },
  'ipxe.efi': { path: '/usr/lib/ipxe/ipxe.efi', pkg: 'ipxe' },
  'snponly.efi': { path: '/usr/lib/ipxe/snponly.efi', pkg: 'ipxe' },
} as const satisfies Record<string, LoaderSource>;

export type LoaderName = keyof typeof LOADERS;

/** The file firmware fetches first, by boot interface and boot mode (Ironic's defaults). */
export function firmwareLoader(iface: 'pxe' | 'ipxe', mode: 'bios' | 'uefi'): LoaderName {
  if (iface === 'pxe') return mode === 'uefi' ? 'shimx64.efi' : 'pxelinux.0';
  return mode === 'uefi' ? 'snponly.efi' : 'undionly.kpxe';
}

const exists = (path: string) => stat(path).then((s) => s.isFile(), () => false);

/**
 * Copies every loader the machine has into `tftpRoot` (atomically: a client may be fetching one right now)
 * and reports the ones whose package is missing.
 */
export async function installLoaders(tftpRoot: string, sources: Readonly<Record<string, LoaderSource>> = LOADERS): Promise<{ missing: string[] }> {
  await mkdir(tftpRoot, { recursive: true });
  const missing: string[] = [];
  for (const [name, src] of Object.entries(sources)) {
    if (!(await exists(src.path))) {
      missing.push(`${name} (package ${src.pkg})`);
      continue;
    }
    const tmp = join(tftpRoot, `.tmp-${name}-${process.pid}`);
    try {
      await copyFile(src.path, tmp);
      await rename(tmp, join(tftpRoot, name));
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
  if (missing.length) log.warn('network boot loaders missing; nodes needing them cannot boot', { missing });
  return { missing };
}

/** @throws PxeBootFailureError naming the Debian package when `name` (or what it loads) is not in the TFTP root. */
export async function requireLoader(tftpRoot: string, name: LoaderName): Promise<void> {
  for (let n: LoaderName | undefined = name; n; n = (LOADERS[n] as LoaderSource).needs as LoaderName | undefined) {
    if (!(await exists(join(tftpRoot, n)))) {
      throw new PxeBootFailureError(`Network boot loader ${n} is missing from the TFTP root ${tftpRoot}: install the Debian package ${LOADERS[n].pkg} (scripts/install-deps.sh) and restart Anvil.`);
    }
  }
}
