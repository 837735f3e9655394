// How a stored record looks on the wire, for the resources whose shape is just their field table plus links:
// ports, portgroups, chassis and conductors. Nodes add computed fields and have their own view (node-view.ts).
import type { FieldSpec } from '../fields.js';
import { toWire } from '../fields.js';
import { links } from '../context.js';

export interface ResourceShape<R> {
  /** Collection name: the list key and the path segment below /v1. */
  readonly collection: string;
  /** List key when it differs from the path (volume connectors: path `volume/connectors`, key `connectors`). */
  readonly listKey?: string;
  readonly fields: readonly FieldSpec<R>[];
  /** Fields of a plain (non-detail) list entry; `links` is always added. */
  readonly summary: readonly string[];
  /** Link arrays to sub-collections (e.g. a chassis' `nodes`), shown in full views and when asked for by `fields`. */
  readonly subresources?: readonly string[];
  /** Fields Ironic adds after `links` while building the object; kept there so key order matches it. */
  readonly afterLinks?: readonly string[];
  /** What `links` and the pagination marker use: the UUID, or the hostname for conductors. */
  readonly ident: (record: R) => string;
}

export interface ResourceViewOptions {
  readonly minor: number;
  readonly base: string;
  /** `fields=` selection (already validated). */
  readonly fields?: readonly string[];
  /** Plain list entry: only the shape's summary fields. */
  readonly summary?: boolean;
}

export function resourceView<R>(shape: ResourceShape<R>, record: R, o: ResourceViewOptions): Record<string, unknown> {
  const only = o.fields ?? (o.summary ? shape.summary : undefined);
  const wire = toWire(record, shape.fields, o.minor, only);
  const tail: Record<string, unknown> = {};
  for (const name of shape.afterLinks ?? []) {
    if (name in wire) {
      tail[name] = wire[name];
      delete wire[name];
    }
  }
  const path = `${shape.collection}/${shape.ident(record)}`;
  const out: Record<string, unknown> = { ...wire, links: links(o.base, path), ...tail };
  for (const sub of shape.subresources ?? []) {
    // Plain list entries never carry sub-resource links; a `fields=` selection only when it names them.
    if (only ? o.fields?.includes(sub) : true) out[sub] = links(o.base, `${path}/${sub}`);
  }
  return out;
}
