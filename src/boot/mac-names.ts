// The file names firmware and loaders look for when they ask for "the config of this MAC": PXELINUX's
// `01-<mac>` (ARP type 1 = Ethernet, dashes), GRUB's `grub.cfg-01-<mac>` and the iPXE `${mac:hexhyp}` form.
import { normalizeMac } from '../common/ids.js';

/** Lower-case colon form; throws on anything that is not an Ethernet MAC (a port address is validated already). */
export function ethernetMac(mac: string): string {
  const m = normalizeMac(mac);
  if (!m || m.length !== 17) throw new Error(`not an Ethernet MAC address: ${JSON.stringify(mac)}`);
  return m;
}

/** `aa-bb-cc-dd-ee-ff`: iPXE's `${mac:hexhyp}`, the per-MAC script name under `<http root>/pxelinux.cfg/`. */
export function hyphenatedMac(mac: string): string {
  return ethernetMac(mac).replace(/:/g, '-');
}

/** `01-aa-bb-cc-dd-ee-ff`: PXELINUX's per-MAC config name under `pxelinux.cfg/` (and its BOOTIF= form). */
export function pxelinuxMacName(mac: string): string {
  return `01-${hyphenatedMac(mac)}`;
}

/** `grub.cfg-01-aa-bb-cc-dd-ee-ff`: the per-MAC name GRUB's network config search tries first. */
export function grubMacName(mac: string): string {
  return `grub.cfg-${pxelinuxMacName(mac)}`;
}
