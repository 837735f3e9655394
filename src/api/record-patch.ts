// A JSON Patch request turned into record changes for any resource described by a field table: version
// gates, the allow-list, op-by-op application and re-validation of every touched field.
import { NotAcceptableError } from '../common/errors.js';
import { coerceField, emptyValue, patchableFields, propOf, type FieldSpec } from './fields.js';
import { applyPatch, parsePatch } from './json-patch.js';

/**
 * Applies `body` (a JSON Patch document) to the wire form of `record` and returns the changed record
 * properties, validated as on create. Removing a root field resets it to its empty value.
 * @throws PatchError / InvalidError / InvalidParameterValueError (400), NotAcceptableError (406) when a path
 *   names a writable field newer than the request version (Ironic refuses those rather than calling them unknown).
 */
export function patchChanges<R>(record: R, body: unknown, specs: readonly FieldSpec<R>[], minor: number, resource: string): Partial<R> {
  const ops = parsePatch(body);
  // Like Ironic, only an op on the field itself is version-gated: Ironic patches the whole object, so
  // `add /properties/x` on a portgroup at 1.23 goes through although `properties` is shown from 1.26.
  for (const op of ops) {
    const root = op.path.split('/')[1];
    const spec = specs.find((s) => s.name === root);
    if (spec && spec.since > minor && op.path === `/${root}` && (spec.write === 'both' || spec.write === 'patch')) {
      throw new NotAcceptableError(`Field ${root} is not available before API version 1.${spec.since}.`);
    }
  }
  const doc: Record<string, unknown> = {};
  for (const spec of specs) doc[spec.name] = (record as Record<string, unknown>)[propOf(spec)] ?? null;
  const { doc: patched, touched } = applyPatch(doc, ops, { allowed: patchableFields(specs, Infinity), roots: Object.keys(doc) });
  const changes: Record<string, unknown> = {};
  for (const name of touched) {
    const spec = specs.find((s) => s.name === name)!;
    const value = patched[name];
    changes[propOf(spec)] = coerceField(spec, value === null ? emptyValue(spec) ?? null : value, minor, resource);
  }
  return changes as Partial<R>;
}
