// Deploy templates (Ironic 1.55): named step lists a deployment picks up when the node's instance_info.traits
// hold the template's name. Field-level rules (trait name, step shape, duplicate steps) are checked by the API
// schema; here: required fields, uniqueness and the writes.
import {
  DeployTemplateAlreadyExistsError, DeployTemplateDuplicateNameError, DeployTemplateNotFoundError, InvalidError, type AppError,
} from '../common/errors.js';
import { logicalNameProblem, newUuid, normalizeUuid } from '../common/ids.js';
import type { DeployTemplateRecord } from '../db/records.js';
import { UniqueViolation } from '../db/repository.js';
import { nowTimestamp } from '../db/schema.js';
import type { Tables } from '../db/tables.js';
import { changedFields } from './record-diff.js';
import { explainMissedWrite, versionCondition } from './record-writes.js';

export interface DeployTemplateServiceDeps {
  readonly tables: Tables;
}

/** Template by UUID or name. @throws InvalidError (400) for an ident that is neither, DeployTemplateNotFoundError (404). */
export async function findDeployTemplate(tables: Tables, ident: string): Promise<DeployTemplateRecord> {
  const uuid = normalizeUuid(ident);
  if (!uuid && logicalNameProblem(ident, 55)) throw new InvalidError(`Expected a logical name or UUID but received ${ident}.`);
  const found = uuid ? await tables.deployTemplates.findBy('uuid', uuid) : await tables.deployTemplates.findBy('name', ident);
  if (!found) throw new DeployTemplateNotFoundError(`Deploy template ${ident} could not be found.`);
  return found;
}

function duplicateError(err: UniqueViolation, t: Pick<DeployTemplateRecord, 'name' | 'uuid'>): AppError {
  if (err.column === 'name') return new DeployTemplateDuplicateNameError(`A deploy template with name ${t.name} already exists.`);
  return new DeployTemplateAlreadyExistsError(`A deploy template with UUID ${t.uuid} already exists.`);
}

async function saving<T>(record: Pick<DeployTemplateRecord, 'name' | 'uuid'>, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof UniqueViolation) throw duplicateError(err, record);
    throw err;
  }
}

export async function createDeployTemplate(deps: DeployTemplateServiceDeps, input: Partial<DeployTemplateRecord>): Promise<DeployTemplateRecord> {
  if (input.steps === undefined) throw new InvalidError("Schema error for template: 'steps' is a required property");
  if (input.name === undefined) throw new InvalidError("Schema error for template: 'name' is a required property");
  const record: Omit<DeployTemplateRecord, 'id'> = {
    name: input.name, steps: input.steps, extra: input.extra ?? {}, description: input.description ?? null,
    uuid: input.uuid ?? newUuid(), createdAt: nowTimestamp(), updatedAt: null,
  };
  return saving(record, () => deps.tables.deployTemplates.insert(record));
}

export async function updateDeployTemplate(deps: DeployTemplateServiceDeps, template: DeployTemplateRecord,
  changes: Partial<DeployTemplateRecord>): Promise<DeployTemplateRecord> {
  const diff = changedFields(template, changes);
  if (Object.keys(diff).length === 0) return template;
  return saving({ ...template, ...diff }, async () => {
    const saved = await deps.tables.deployTemplates.update(template.id, { ...diff, updatedAt: nowTimestamp() }, [versionCondition(template)])
      ?? await explainMissedWrite(deps.tables.deployTemplates, template, `Deploy template ${template.uuid}`);
    if (!saved) throw new DeployTemplateNotFoundError(`Deploy template ${template.uuid} could not be found.`);
    return saved;
  });
}

export async function deleteDeployTemplate(deps: DeployTemplateServiceDeps, template: DeployTemplateRecord): Promise<void> {
  if ((await deps.tables.deployTemplates.deleteWhere('id', template.id)) === 0) {
    throw new DeployTemplateNotFoundError(`Deploy template ${template.uuid} could not be found.`);
  }
}
