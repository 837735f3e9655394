// Cached BIOS settings of a node (API 1.40, registry fields 1.74). The BIOS interface reports the settings
// (Ironic's `cache_bios_settings`) and they are kept per node; reads are served from the cache. A node
// whose BIOS interface can report settings and has none cached yet is cached on first read, so the fake
// interface shows its settings without a cleaning run first.
import { NotFoundError } from '../common/errors.js';
import type { BiosSettingRecord, NodeRecord } from '../db/records.js';
import { UniqueViolation } from '../db/repository.js';
import { nowTimestamp } from '../db/schema.js';
import type { BiosSettingValue } from '../drivers/interfaces.js';
import type { ConductorContext } from './context.js';
import { composeDriver } from './driver-factory.js';
import { biosSettingsSource } from './driver-extras.js';

class BiosSettingNotFoundError extends NotFoundError {
  override readonly code = 'BIOSSettingNotFound';
}

const byNode = (nodeUuid: string) => [{ col: 'nodeUuid', op: 'eq', value: nodeUuid } as const];

function columns(s: BiosSettingValue): Omit<BiosSettingRecord, 'id' | 'nodeUuid' | 'name' | 'createdAt' | 'updatedAt'> {
  return {
    value: s.value, attributeType: s.attributeType ?? null, allowableValues: s.allowableValues ? [...s.allowableValues] : null,
    lowerBound: s.lowerBound ?? null, maxLength: s.maxLength ?? null, minLength: s.minLength ?? null, readOnly: s.readOnly ?? null,
    resetRequired: s.resetRequired ?? null, unique: s.unique ?? null, upperBound: s.upperBound ?? null,
  };
}

/**
 * Replaces the cached settings of `node` with `settings`: changed ones are updated (keeping created_at),
 * new ones inserted, vanished ones deleted. Safe to race with itself: a duplicate insert is skipped.
 */
export async function saveBiosSettings(ctx: ConductorContext, node: NodeRecord, settings: readonly BiosSettingValue[]): Promise<void> {
  const t = ctx.tables.biosSettings;
  const existing = new Map((await t.list({ filters: byNode(node.uuid) })).map((r) => [r.name, r]));
  const now = nowTimestamp();
  for (const s of settings) {
    const cols = columns(s);
    const old = existing.get(s.name);
    existing.delete(s.name);
    if (old) {
      if (JSON.stringify(columns({ ...old, name: old.name })) !== JSON.stringify(cols)) await t.update(old.id, { ...cols, updatedAt: now });
      continue;
    }
    try {
      await t.insert({ nodeUuid: node.uuid, name: s.name, ...cols, createdAt: now, updatedAt: null });
    } catch (err) {
      if (!(err instanceof UniqueViolation)) throw err;
    }
  }
  for (const gone of existing.values()) await t.deleteWhere('id', gone.id);
}

/** Asks the node's BIOS interface for its settings and caches them; false when the interface cannot say. */
export async function cacheBiosSettings(ctx: ConductorContext, node: NodeRecord): Promise<boolean> {
  let source;
  try {
    source = biosSettingsSource(composeDriver(node, ctx.config.enabledHardwareTypes));
  } catch {
    return false; // driver no longer enabled here: nothing can be asked, the cache stays as it is
  }
  if (!source) return false;
  await saveBiosSettings(ctx, node, await source.read({ node }));
  return true;
}

/** Cached settings in insertion order (first read of a capable node fills the cache). */
export async function listBiosSettings(ctx: ConductorContext, node: NodeRecord): Promise<BiosSettingRecord[]> {
  const rows = await ctx.tables.biosSettings.list({ filters: byNode(node.uuid) });
  if (rows.length > 0) return rows;
  return (await cacheBiosSettings(ctx, node)) ? ctx.tables.biosSettings.list({ filters: byNode(node.uuid) }) : [];
}

/** @throws BiosSettingNotFoundError (404) with Ironic's wording. */
export async function getBiosSetting(ctx: ConductorContext, node: NodeRecord, name: string): Promise<BiosSettingRecord> {
  const found = (await listBiosSettings(ctx, node)).find((s) => s.name === name);
  if (!found) throw new BiosSettingNotFoundError(`Node ${node.uuid} doesn't have a BIOS setting '${name}'`);
  return found;
}
