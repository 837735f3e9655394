// Where a node's network-boot files live and how they are written and removed. Per node: a directory
// `<root>/<node uuid>/` with its kernel, ramdisk and `config`; per MAC: symlinks to that config under the
// names the loaders ask for (Ironic's layout, ironic-compat §10.5):
//   PXELINUX  <tftp root>/pxelinux.cfg/01-aa-bb-cc-dd-ee-ff
//   GRUB      <tftp root>/grub.cfg-01-aa-bb-cc-dd-ee-ff, and the same under <tftp root>/grub/ (the prefix
//             Debian's network GRUB searches)
//   iPXE      <http root>/pxelinux.cfg/aa-bb-cc-dd-ee-ff, chained from <http root>/boot.ipxe
// Files are swapped in with a rename, so a booting machine never reads half a file.
import { mkdir, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { grubMacName, hyphenatedMac, pxelinuxMacName } from '../../boot/mac-names.js';
import { normalizeUuid } from '../../common/ids.js';
import type { DhcpProvider } from '../interfaces.js';

export type BootStyle = 'pxelinux' | 'grub' | 'ipxe';
export const BOOT_STYLES: readonly BootStyle[] = ['pxelinux', 'grub', 'ipxe'];

export interface BootRoots {
  readonly tftpRoot: string;
  readonly httpRoot: string;
}

/** The root a style's node files are served from: iPXE fetches over HTTP, PXELINUX and GRUB over TFTP. */
export function styleRoot(roots: BootRoots, style: BootStyle): string {
  return style === 'ipxe' ? roots.httpRoot : roots.tftpRoot;
}

export function nodeDir(root: string, nodeUuid: string): string {
  const uuid = normalizeUuid(nodeUuid);
  // The UUID becomes a path: anything else could walk out of the root.
  if (!uuid) throw new Error(`not a node UUID: ${JSON.stringify(nodeUuid)}`);
  return join(root, uuid);
}

/** The symlinks naming `mac` for `style`. */
export function macLinks(roots: BootRoots, style: BootStyle, mac: string): string[] {
  if (style === 'pxelinux') return [join(roots.tftpRoot, 'pxelinux.cfg', pxelinuxMacName(mac))];
  if (style === 'grub') return [join(roots.tftpRoot, grubMacName(mac)), join(roots.tftpRoot, 'grub', grubMacName(mac))];
  return [join(roots.httpRoot, 'pxelinux.cfg', hyphenatedMac(mac))];
}

/** Directories that hold MAC links (scanned for links into a node's directory). */
function linkDirs(roots: BootRoots): string[] {
  return [join(roots.tftpRoot, 'pxelinux.cfg'), roots.tftpRoot, join(roots.tftpRoot, 'grub'), join(roots.httpRoot, 'pxelinux.cfg')];
}

function tempName(path: string): string {
  return join(dirname(path), `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
}

export async function writeFileAtomic(path: string, content: string | Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempName(path);
  try {
    await writeFile(tmp, content, { mode: 0o644 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Points `link` at `target` with a relative symlink (the roots stay movable), replacing whatever was there. */
export async function linkAtomic(target: string, link: string): Promise<void> {
  await mkdir(dirname(link), { recursive: true });
  const tmp = tempName(link);
  try {
    await symlink(relative(dirname(link), target), tmp);
    await rename(tmp, link);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Removes the links of `macs` in every style. Missing files are fine. */
export async function removeMacLinks(roots: BootRoots, macs: readonly string[]): Promise<void> {
  for (const mac of macs) {
    for (const style of BOOT_STYLES) {
      for (const path of macLinks(roots, style, mac)) await rm(path, { force: true });
    }
  }
}

/** Links (found by scanning) that point into the node's directories, e.g. for a MAC that has since changed. */
async function linksIntoNode(roots: BootRoots, nodeUuid: string): Promise<string[]> {
  const dirs = [nodeDir(roots.tftpRoot, nodeUuid), nodeDir(roots.httpRoot, nodeUuid)];
  const found: string[] = [];
  for (const dir of linkDirs(roots)) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const path = join(dir, name);
      const target = await readlink(path).catch(() => null);
      if (target === null) continue;
      const abs = resolve(dir, target);
      if (dirs.some((d) => abs === d || abs.startsWith(d + sep))) found.push(path);
    }
  }
  return found;
}

/** Everything of one node: its directories in both roots, the links of `macs` and any link into its directories. */
export async function removeNodeFiles(roots: BootRoots, nodeUuid: string, macs: readonly string[]): Promise<void> {
  await removeMacLinks(roots, macs);
  for (const link of await linksIntoNode(roots, nodeUuid)) await rm(link, { force: true });
  await rm(nodeDir(roots.tftpRoot, nodeUuid), { recursive: true, force: true });
  await rm(nodeDir(roots.httpRoot, nodeUuid), { recursive: true, force: true });
}

/**
 * The conductor's clean-up outside a boot: a port deleted or its MAC changed (`macs` = the old MACs), or a
 * node deleted (`nodeUuid` too: all of its files). DHCP stops answering those MACs.
 */
export async function forgetBootFiles(
  where: BootRoots & { readonly dhcp: DhcpProvider },
  what: { readonly nodeUuid?: string; readonly macs: readonly string[] },
): Promise<void> {
  if (what.nodeUuid) {
    await removeNodeFiles(where, what.nodeUuid, what.macs);
    await where.dhcp.cleanNode(what.nodeUuid, what.macs);
  } else {
    await removeMacLinks(where, what.macs);
  }
  await where.dhcp.forgetMacs(what.macs);
}
