// Chassis rules: a chassis only groups nodes, so the one rule is that it cannot go while nodes still name it.
import { ChassisAlreadyExistsError, ChassisNotEmptyError, ChassisNotFoundError, InvalidParameterValueError } from '../common/errors.js';
import { newUuid, normalizeUuid } from '../common/ids.js';
import { nowTimestamp } from '../db/schema.js';
import type { Tables } from '../db/tables.js';
import type { ChassisRecord } from '../db/records.js';
import { UniqueViolation } from '../db/repository.js';
import { explainMissedWrite, versionCondition } from './record-writes.js';

export interface ChassisServiceDeps {
  readonly tables: Tables;
}

/** Chassis by UUID (chassis have no names). @throws InvalidParameterValueError (400), ChassisNotFoundError (404). */
export async function findChassis(tables: Tables, ident: string): Promise<ChassisRecord> {
  const uuid = normalizeUuid(ident);
  if (!uuid) throw new InvalidParameterValueError(`Expected UUID for chassis_uuid: ${ident}`);
  const chassis = await tables.chassis.findBy('uuid', uuid);
  if (!chassis) throw new ChassisNotFoundError(`Chassis ${ident} could not be found.`);
  return chassis;
}

export async function createChassis(ctx: ChassisServiceDeps, input: Partial<ChassisRecord>): Promise<ChassisRecord> {
  const record: Omit<ChassisRecord, 'id'> = { uuid: newUuid(), description: null, extra: {}, createdAt: nowTimestamp(), updatedAt: null, ...input };
  try {
    return await ctx.tables.chassis.insert(record);
  } catch (err) {
    if (err instanceof UniqueViolation) throw new ChassisAlreadyExistsError(`A chassis with UUID ${record.uuid} already exists.`);
    throw err;
  }
}

export async function updateChassis(ctx: ChassisServiceDeps, chassis: ChassisRecord, changes: Partial<ChassisRecord>): Promise<ChassisRecord> {
  const diff = Object.fromEntries(Object.entries(changes).filter(([k, v]) =>
    JSON.stringify(v) !== JSON.stringify((chassis as unknown as Record<string, unknown>)[k])));
  if (Object.keys(diff).length === 0) return chassis;
  const saved = await ctx.tables.chassis.update(chassis.id, { ...diff, updatedAt: nowTimestamp() }, [versionCondition(chassis)])
    ?? await explainMissedWrite(ctx.tables.chassis, chassis, `Chassis ${chassis.uuid}`);
  if (!saved) throw new ChassisNotFoundError(`Chassis ${chassis.uuid} could not be found.`);
  return saved;
}

export async function deleteChassis(ctx: ChassisServiceDeps, chassis: ChassisRecord): Promise<void> {
  await ctx.tables.chassis.store.db.transaction().execute(async (trx) => {
    const { n } = await trx.selectFrom('nodes').select((eb) => eb.fn.countAll().as('n')).where('chassisUuid', '=', chassis.uuid).executeTakeFirstOrThrow();
    if (Number(n) > 0) throw new ChassisNotEmptyError(`Cannot complete the requested action because chassis ${chassis.uuid} contains nodes.`);
    if ((await ctx.tables.chassis.deleteWhere('id', chassis.id, trx)) === 0) throw new ChassisNotFoundError(`Chassis ${chassis.uuid} could not be found.`);
  });
}
