// Which disk receives the image: the first disk matching the node's root device hints
// (`instance_info.root_device`, else `properties.root_device`), or without hints the smallest disk of at
// least the minimum size (IPA's default of 4 GiB). The hint grammar is Ironic's: `size` in GiB with
// `==, !=, >=, >, <=, <` (bare number means ==), strings with `s==, s!=, <in>, <or>` (bare means s==),
// `rotational` a boolean, `name` with or without /dev/.
import type { BlockDevice } from './block-devices.js';

const GIB = 2 ** 30;
const STRING_HINTS = ['model', 'vendor', 'serial', 'wwn', 'wwn_with_extension', 'wwn_vendor_extension', 'hctl', 'by_path', 'name'] as const;
export const HINT_KEYS: readonly string[] = [...STRING_HINTS, 'size', 'rotational'];

export class RootDeviceHintError extends Error {}

const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();

function matchNumber(expr: unknown, actual: number): boolean {
  if (typeof expr === 'number') return actual === expr;
  const m = /^\s*(==|!=|>=|<=|>|<|=)?\s*(\d+)\s*$/.exec(String(expr));
  if (!m) throw new RootDeviceHintError(`Root device hint "size" has an unusable value ${JSON.stringify(expr)}`);
  const want = Number(m[2]);
  switch (m[1] ?? '==') {
    case '!=': return actual !== want;
    case '>=': return actual >= want;
    case '<=': return actual <= want;
    case '>': return actual > want;
    case '<': return actual < want;
    default: return actual === want;
  }
}

function matchString(expr: unknown, actual: string | null, key: string): boolean {
  if (typeof expr !== 'string') throw new RootDeviceHintError(`Root device hint "${key}" must be a string`);
  if (actual === null) return false;
  const a = norm(actual);
  const m = /^\s*(s==|s!=|<in>|<or>)\s*(.*)$/s.exec(expr);
  const op = m?.[1] ?? 's==';
  const rest = m ? m[2]! : expr;
  const value = (v: string) => (key === 'name' && !v.trim().startsWith('/dev/') ? `/dev/${v.trim()}` : v);
  switch (op) {
    case 's!=': return a !== norm(value(rest));
    case '<in>': return a.includes(norm(rest));
    case '<or>': return rest.split('<or>').some((alt) => a === norm(value(alt)));
    default: return a === norm(value(rest));
  }
}

function matchBool(expr: unknown, actual: boolean): boolean {
  const v = typeof expr === 'boolean' ? expr : /^(1|true|yes|on)$/i.test(String(expr).trim()) ? true
    : /^(0|false|no|off)$/i.test(String(expr).trim()) ? false : null;
  if (v === null) throw new RootDeviceHintError(`Root device hint "rotational" must be a boolean, got ${JSON.stringify(expr)}`);
  return actual === v;
}

/** True when `dev` satisfies every hint. @throws RootDeviceHintError for an unknown hint or bad value. */
export function matchesHints(dev: BlockDevice, hints: Readonly<Record<string, unknown>>): boolean {
  for (const [key, expr] of Object.entries(hints)) {
    if (key === 'size') {
      if (!matchNumber(expr, Math.floor(dev.size / GIB))) return false;
    } else if (key === 'rotational') {
      if (!matchBool(expr, dev.rotational)) return false;
    } else if ((STRING_HINTS as readonly string[]).includes(key)) {
      if (!matchString(expr, (dev as unknown as Record<string, string | null>)[key] ?? null, key)) return false;
    } else {
      throw new RootDeviceHintError(`Unknown root device hint "${key}"; known: ${HINT_KEYS.join(', ')}`);
    }
  }
  return true;
}

/** The hints a node dict carries: instance_info.root_device wins over properties.root_device. */
export function hintsOf(node: Readonly<Record<string, unknown>> | null): Record<string, unknown> | null {
  if (!node) return null;
  for (const holder of [node.instance_info, node.properties]) {
    const h = holder && typeof holder === 'object' ? (holder as Record<string, unknown>).root_device : undefined;
    if (h && typeof h === 'object' && !Array.isArray(h) && Object.keys(h).length) return h as Record<string, unknown>;
  }
  return null;
}

/** @returns the chosen disk, or an explanation of why none fits. */
export function pickRootDevice(devices: readonly BlockDevice[], hints: Readonly<Record<string, unknown>> | null, minBytes: number):
  { device: BlockDevice } | { error: string } {
  if (hints) {
    const dev = devices.find((d) => matchesHints(d, hints));
    if (dev) return { device: dev };
    return { error: `No suitable device was found for deployment using these hints ${JSON.stringify(hints)}; disks: ${devices.map((d) => `${d.name} (${d.size} bytes)`).join(', ') || 'none'}` };
  }
  const big = devices.filter((d) => d.size >= minBytes).sort((a, b) => a.size - b.size || a.name.localeCompare(b.name));
  if (big[0]) return { device: big[0] };
  return { error: `No suitable device was found for deployment: no disk of at least ${minBytes} bytes; disks: ${devices.map((d) => `${d.name} (${d.size} bytes)`).join(', ') || 'none'}` };
}
