// Identifier rules shared by the API and the store: UUIDs, logical names, MAC addresses.
import { randomUUID } from 'node:crypto';

declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };
export type NodeUuid = Brand<string, 'NodeUuid'>;

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export function newUuid(): string {
  return randomUUID();
}

export function isUuidLike(value: string): boolean {
  return UUID_RE.test(value);
}

/** Canonical lower-case dashed form, or null when `value` is not a UUID. */
export function normalizeUuid(value: string): string | null {
  if (!UUID_RE.test(value)) return null;
  const hex = value.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// Words that are sub-paths of /v1/nodes/{ident}; a node with such a name could never be addressed.
const RESERVED_NAMES = new Set(['detail', 'validate', 'ports', 'portgroups', 'states', 'maintenance',
  'management', 'traits', 'vifs', 'history', 'bios', 'inventory', 'vendor_passthru', 'children',
  'firmware', 'vmedia', 'allocation', 'volume']);

const NAME_RE = /^[A-Za-z0-9\-._~]+$/;
// Before 1.10 names followed hostname rules (RFC 952/1123).
const HOSTNAME_RE = /^(?=.{1,255}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** Returns why `name` is not a valid logical name, or null when it is. */
export function logicalNameProblem(name: string, minor: number): string | null {
  if (name.length === 0 || name.length > 255) return 'must be 1 to 255 characters long';
  if (minor < 10 ? !HOSTNAME_RE.test(name) : !NAME_RE.test(name)) {
    return minor < 10
      ? 'must be a valid hostname'
      : 'may only contain letters, digits and the characters - . _ ~';
  }
  if (isUuidLike(name)) return 'must not look like a UUID';
  if (RESERVED_NAMES.has(name)) return `must not be the reserved word "${name}"`;
  return null;
}

const MAC_RE = /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i;
const MAC_BARE_RE = /^[0-9a-f]{12}$/i;
// InfiniBand GUID-based addresses are 20 octets.
const MAC_IB_RE = /^([0-9a-f]{2}[:-]){19}[0-9a-f]{2}$/i;

/** Canonical lower-case colon form, or null when `value` is not a MAC address. */
export function normalizeMac(value: string): string | null {
  if (MAC_RE.test(value) || MAC_IB_RE.test(value)) return value.toLowerCase().replace(/-/g, ':');
  if (MAC_BARE_RE.test(value)) return value.toLowerCase().match(/../g)!.join(':');
  return null;
}

// Traits (nodes, allocations, deploy template names): a CUSTOM_ trait or one shaped like the standard os-traits
// names (upper-case words joined by "_"); we do not carry the os-traits list itself.
const TRAIT_RE = /^(CUSTOM_[A-Z0-9_]+|[A-Z][A-Z0-9_]*)$/;

export function isValidTrait(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 255 && TRAIT_RE.test(value);
}
