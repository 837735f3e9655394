// The boot mode a node should boot in (uefi or bios), as Ironic decides it: what the deployment asked for
// first, then what the operator declared in the capabilities, then what the hardware last reported.
import type { NodeRecord } from '../db/records.js';

export type BootMode = 'uefi' | 'bios';

/** Ironic's `[deploy]default_boot_mode` since 2023: machines are assumed UEFI unless told otherwise. */
export const DEFAULT_BOOT_MODE: BootMode = 'uefi';

/** `properties.capabilities` is either a "k:v,k:v" string (the usual wire form) or already a dict. */
export function parseCapabilities(value: unknown): Record<string, string> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  }
  if (typeof value !== 'string') return {};
  const out: Record<string, string> = {};
  for (const pair of value.split(',')) {
    const at = pair.indexOf(':');
    if (at > 0) out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return out;
}

function asMode(value: unknown): BootMode | null {
  const v = typeof value === 'string' ? value.trim().toLowerCase() : '';
  return v === 'uefi' || v === 'bios' ? v : null;
}

export function nodeBootMode(node: Pick<NodeRecord, 'instanceInfo' | 'properties' | 'bootMode'>): BootMode {
  const caps = parseCapabilities(node.properties.capabilities);
  // Secure boot only exists under UEFI, so it settles the question (Ironic does the same).
  if (parseCapabilities(node.instanceInfo.capabilities).secure_boot === 'true' || caps.secure_boot === 'true') return 'uefi';
  return asMode(node.instanceInfo.deploy_boot_mode) ?? asMode(caps.boot_mode) ?? asMode(node.bootMode) ?? DEFAULT_BOOT_MODE;
}
