// What ipmitool prints, decoded, and the raw IPMI requests we send instead of ipmitool's convenience
// commands. Pure functions: the unit tests feed them recorded output.
import type { BootDevice, PowerState } from '../interfaces.js';

/** `power status` → "Chassis Power is on|off". */
export function parsePowerStatus(stdout: string): PowerState | null {
  const m = /Chassis Power is (on|off)/i.exec(stdout);
  return m ? (m[1]!.toLowerCase() === 'on' ? 'power on' : 'power off') : null;
}

// IPMI boot flags, parameter 5 of the system boot options (IPMI 2.0 table 28-14), data byte 1.
export const BOOT_FLAG_VALID = 0x80;
export const BOOT_FLAG_PERSISTENT = 0x40;
export const BOOT_FLAG_EFI = 0x20;

/** Boot device selector, data byte 2 (bits 5..2), as Ironic sends it. */
export const BOOT_DEVICE_CODES = { pxe: 0x04, disk: 0x08, safe: 0x0c, cdrom: 0x14, bios: 0x18 } as const satisfies Partial<Record<BootDevice, number>>;
export type IpmiBootDevice = keyof typeof BOOT_DEVICE_CODES;
export const IPMI_BOOT_DEVICES = Object.keys(BOOT_DEVICE_CODES) as IpmiBootDevice[];

// Selector values we read back that have no Anvil name (diagnostic partition, remote media) map to null.
const SELECTOR_TO_DEVICE: Readonly<Record<number, BootDevice>> = { 0x1: 'pxe', 0x2: 'disk', 0x3: 'safe', 0x5: 'cdrom', 0x6: 'bios', 0xf: 'floppy' };

export interface BootFlags {
  /** null: no override (the BIOS boot order applies) or a device Anvil has no name for. */
  readonly bootDevice: BootDevice | null;
  readonly persistent: boolean;
  readonly efi: boolean;
  /** BMCs clear this once a one-time override was used; the device byte may still show the old choice. */
  readonly valid: boolean;
}

export function decodeBootFlags(data1: number, data2: number): BootFlags {
  return {
    bootDevice: SELECTOR_TO_DEVICE[(data2 >> 2) & 0x0f] ?? null,
    persistent: (data1 & BOOT_FLAG_PERSISTENT) !== 0,
    efi: (data1 & BOOT_FLAG_EFI) !== 0,
    valid: (data1 & BOOT_FLAG_VALID) !== 0,
  };
}

// Text fallback for ipmitool builds that do not print the data bytes; longest phrases first.
const SELECTOR_TEXT: readonly (readonly [RegExp, BootDevice | null])[] = [
  [/request Safe Mode/i, 'safe'],
  [/Force PXE/i, 'pxe'],
  [/Hard-Drive/i, 'disk'],
  [/CD\/DVD/i, 'cdrom'],
  [/BIOS Setup/i, 'bios'],
  [/Floppy/i, 'floppy'],
  [/No override/i, null],
];

/** `chassis bootparam get 5`: prefers the "Boot parameter data" bytes over the English rendering. */
export function parseBootParam(stdout: string): BootFlags | null {
  const data = /Boot parameter data:\s*([0-9a-f]{4,})/i.exec(stdout);
  if (data) {
    const bytes = Buffer.from(data[1]!.slice(0, 4), 'hex');
    return decodeBootFlags(bytes[0]!, bytes[1]!);
  }
  const selector = /Boot Device Selector\s*:\s*(.+)/i.exec(stdout);
  if (!selector) return null;
  const hit = SELECTOR_TEXT.find(([re]) => re.test(selector[1]!));
  return {
    bootDevice: hit ? hit[1] : null,
    persistent: /Options apply to all future boots/i.test(stdout),
    efi: /BIOS EFI boot/i.test(stdout),
    valid: !/Boot Flag Invalid/i.test(stdout),
  };
}

const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

/**
 * Set System Boot Options, parameter 5, as raw bytes. Raw rather than `chassis bootdev ... options=`:
 * some ipmitool versions drop or mangle the efiboot option, and raw sends exactly these flags.
 */
export function setBootFlagsCommand(device: IpmiBootDevice, opts: { persistent: boolean; efi: boolean }): string[] {
  const data1 = BOOT_FLAG_VALID | (opts.persistent ? BOOT_FLAG_PERSISTENT : 0) | (opts.efi ? BOOT_FLAG_EFI : 0);
  return ['raw', '0x00', '0x08', '0x05', hex(data1), hex(BOOT_DEVICE_CODES[device]), '0x00', '0x00', '0x00'];
}

/**
 * Parameter 3 (BMC boot flag valid bit clearing) = 0x08: stop the BMC from dropping the boot flags 60 s
 * after they were set, which would lose the device when the power-on comes later (Ironic sends the same).
 */
export const DISABLE_BOOT_TIMEOUT_COMMAND: readonly string[] = Object.freeze(['raw', '0x00', '0x08', '0x03', '0x08']);
