// How a node looks on the wire at a given microversion: full, list or `fields=` views, with secrets masked,
// version shims applied and the computed `conductor` and link arrays added.
import type { NodeRecord } from '../../db/records.js';
import type { ConductorRegistry } from '../../conductor/registry.js';
import { toWire } from '../fields.js';
import { links } from '../context.js';
import { NODE_FIELDS, NODE_LIST_FIELDS, NODE_SUBRESOURCES, provisionStateAt } from './schemas/node-fields.js';

export interface ViewOptions {
  readonly minor: number;
  readonly base: string;
  readonly registry: ConductorRegistry;
  /** `fields=` selection; implies no sub-resource links. */
  readonly fields?: readonly string[];
  /** Plain list entries carry only the summary fields. */
  readonly summary?: boolean;
  /** Hide what only the owner may read (a lessee's view; api/auth/authorize.ts redactNode). */
  readonly redact?: boolean;
  /** Owner lookup taken once for a whole list (registry.ownerLookup). */
  readonly owner?: (nodeUuid: string, driver: string, group: string) => string | null;
}

export async function nodeView(node: NodeRecord, o: ViewOptions): Promise<Record<string, unknown>> {
  const conductor = o.owner ? o.owner(node.uuid, node.driver, node.conductorGroup) : await o.registry.conductorFor(node.uuid, node.driver, node.conductorGroup);
  return nodeViewOf(node, o, conductor);
}

/**
 * nodeView with the owning conductor already known: no promise per node, which a list of a thousand nodes
 * serialised after a start would otherwise make and wait for one by one.
 */
export function nodeViewOf(node: NodeRecord, o: Omit<ViewOptions, 'registry' | 'owner'>, conductor: string | null): Record<string, unknown> {
  const only = o.fields ?? (o.summary ? NODE_LIST_FIELDS : undefined);
  const out = toWire(node, NODE_FIELDS, o.minor, only);
  if ('provision_state' in out) out.provision_state = provisionStateAt(node.provisionState, o.minor);
  if ('target_provision_state' in out && node.targetProvisionState) {
    out.target_provision_state = provisionStateAt(node.targetProvisionState, o.minor);
  }
  if ('conductor' in out) out.conductor = conductor;
  if (o.redact) redactOwnerFields(out);
  out.links = links(o.base, `nodes/${node.uuid}`);
  if (!only) {
    for (const [sub, since] of NODE_SUBRESOURCES) {
      if (since <= o.minor) out[sub] = links(o.base, `nodes/${node.uuid}/${sub}`);
    }
  }
  return out;
}

// Ironic's wording for the fields its filter_threshold policy hides from users who are not the node's owner
// (or system readers): infrastructure details such as BMC addresses, conductor names and error texts.
const REDACTED: Readonly<Record<string, unknown>> = {
  last_error: '** Value Redacted - Requires baremetal:node:get:last_error permission. **',
  reservation: '** Redacted - requires baremetal:node:get:reservation permission. **',
  driver_internal_info: { content: '** Redacted - Requires baremetal:node:get:driver_internal_info permission. **' },
  driver_info: { content: '** Redacted - requires baremetal:node:get:driver_info permission. **' },
};

function redactOwnerFields(out: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(REDACTED)) if (key in out) out[key] = value;
}
