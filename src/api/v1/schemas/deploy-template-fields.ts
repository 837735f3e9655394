// Every deploy template field on the wire (1.55) and Ironic's template rules: the name is a trait, and the
// steps are a non-empty list of {interface, step, args, priority} with no (interface, step) pair twice.
import { InvalidError, InvalidDeployTemplateError } from '../../../common/errors.js';
import { isValidTrait } from '../../../common/ids.js';
import { maskSecrets } from '../../../common/secrets.js';
import type { DeployStep, DeployTemplateRecord } from '../../../db/records.js';
import type { FieldSpec } from '../../fields.js';
import { pyRepr } from '../../json-patch.js';
import type { ResourceShape } from '../resource-view.js';
import { notATrait } from './allocation-fields.js';

type F = FieldSpec<DeployTemplateRecord>;

/** Interfaces a deploy step may belong to (Ironic's deploy-step interface priority list). */
export const DEPLOY_STEP_INTERFACES = ['power', 'management', 'deploy', 'firmware', 'bios', 'raid'];
const STEP_KEYS = ['interface', 'step', 'args', 'priority'];

const schemaError = (why: string) => new InvalidError(`Schema error for template: ${why}`);

function checkName(value: unknown): unknown {
  if (!isValidTrait(value)) throw notATrait('template', value);
  return value;
}

function checkStep(raw: unknown): DeployStep {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw schemaError(`${pyRepr(raw)} is not of type 'object'`);
  const step = raw as Record<string, unknown>;
  for (const k of Object.keys(step)) if (!STEP_KEYS.includes(k)) throw schemaError(`Additional properties are not allowed ('${k}' was unexpected)`);
  for (const k of STEP_KEYS) if (!(k in step)) throw schemaError(`'${k}' is a required property`);
  if (typeof step.interface !== 'string' || !DEPLOY_STEP_INTERFACES.includes(step.interface)) {
    throw schemaError(`${pyRepr(step.interface)} is not one of ${pyRepr(DEPLOY_STEP_INTERFACES)}`);
  }
  if (typeof step.step !== 'string' || step.step === '') throw schemaError(`${pyRepr(step.step)} is not a non-empty string`);
  if (step.args === null || typeof step.args !== 'object' || Array.isArray(step.args)) {
    throw schemaError(`${pyRepr(step.args)} is not of type 'object'`);
  }
  // Ironic takes the priority as an integer >= 0 or a string of digits, and stores the integer.
  const priority = typeof step.priority === 'string' && /^[0-9]+$/.test(step.priority) ? Number(step.priority) : step.priority;
  if (!Number.isInteger(priority) || (priority as number) < 0) {
    throw schemaError(`${pyRepr(step.priority)} is not valid under any of the given schemas`);
  }
  return { interface: step.interface, step: step.step, args: step.args as Record<string, unknown>, priority: priority as number };
}

function checkSteps(value: unknown): unknown {
  const steps = (value as unknown[]).map(checkStep);
  if (steps.length === 0) throw schemaError('[] is too short');
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const s of steps) {
    const key = `interface: ${s.interface}, step: ${s.step}`;
    if (seen.has(key)) dupes.add(key);
    seen.add(key);
  }
  if (dupes.size > 0) {
    throw new InvalidDeployTemplateError('Deploy template invalid: Duplicate deploy steps. A deploy template cannot have multiple ' +
      `deploy steps with the same interface and step. Duplicates: ${[...dupes].join('; ')}.`);
  }
  return steps;
}

/** Order is the order of keys in responses (Ironic's; `steps` follows `links`). */
export const DEPLOY_TEMPLATE_FIELDS: readonly F[] = [
  { name: 'uuid', since: 55, kind: 'uuid', write: 'create', nullable: true },
  { name: 'created_at', since: 55, kind: 'timestamp' },
  { name: 'updated_at', since: 55, kind: 'timestamp' },
  { name: 'name', since: 55, kind: 'string', write: 'both', check: checkName },
  { name: 'extra', since: 55, kind: 'dict', write: 'both' },
  { name: 'description', since: 55, kind: 'string', write: 'both', nullable: true, maxLength: 255 },
  // Step arguments may carry credentials (e.g. a BIOS password); Ironic masks them on the way out.
  { name: 'steps', since: 55, kind: 'list', write: 'both', check: checkSteps,
    get: (t) => t.steps.map((s) => ({ interface: s.interface, step: s.step, args: maskSecrets(s.args), priority: s.priority })) },
];

export const DEPLOY_TEMPLATE_SHAPE: ResourceShape<DeployTemplateRecord> = {
  collection: 'deploy_templates', fields: DEPLOY_TEMPLATE_FIELDS, summary: ['uuid', 'name'], afterLinks: ['steps'], ident: (t) => t.uuid,
};
