// /v1/volume (1.32): the index of links, /v1/volume/connectors and /v1/volume/targets (create, show, list,
// patch, delete), and the read-only views of one node's records under /v1/nodes/{node}/volume.
import { Hono } from 'hono';
import { NotAuthorizedError } from '../../common/errors.js';
import type { Filter } from '../../db/repository.js';
import type { VolumeConnectorRecord, VolumeTargetRecord } from '../../db/records.js';
import { findNode } from '../../conductor/node-service.js';
import { rewriteRecord } from '../../conductor/record-writes.js';
import {
  CONNECTOR_KIND, TARGET_KIND, createVolumeRecord, deleteVolumeRecord, findVolumeRecord, updateVolumeRecord, type VolumeKind,
} from '../../conductor/volume-service.js';
import { links, type ApiEnv, type Ctx } from '../context.js';
import { parseCreateBody, parseFieldsParam, type FieldSpec } from '../fields.js';
import { patchChanges } from '../record-patch.js';
import { readJson } from '../request.js';
import { listResources, requireVersion } from './collection.js';
import { authorizeOnNamedNode, nodeChildScope, permits } from '../auth/authorize.js';
import { resourceView, type ResourceShape } from './resource-view.js';
import { VOLUME_CONNECTOR_FIELDS, VOLUME_CONNECTOR_SHAPE, VOLUME_TARGET_FIELDS, VOLUME_TARGET_SHAPE } from './schemas/volume-fields.js';

type VolumeRecordOf = VolumeConnectorRecord | VolumeTargetRecord;

/** One volume resource as the router needs it: service kind, field table and wire shape. */
interface VolumeResource<R extends VolumeRecordOf> {
  readonly kind: VolumeKind<R>;
  readonly fields: readonly FieldSpec<R>[];
  readonly shape: ResourceShape<R>;
  /** Path segment below /volume: `connectors` or `targets`. */
  readonly segment: string;
}

const CONNECTORS: VolumeResource<VolumeConnectorRecord> = {
  kind: CONNECTOR_KIND, fields: VOLUME_CONNECTOR_FIELDS, shape: VOLUME_CONNECTOR_SHAPE, segment: 'connectors',
};
const TARGETS: VolumeResource<VolumeTargetRecord> = {
  kind: TARGET_KIND, fields: VOLUME_TARGET_FIELDS, shape: VOLUME_TARGET_SHAPE, segment: 'targets',
};

/** The link index of /v1/volume or /v1/nodes/{node}/volume (Ironic gives the index itself a trailing slash). */
function volumeIndex(base: string, path: string): Record<string, unknown> {
  return { links: links(base, `${path}/`), connectors: links(base, `${path}/connectors`), targets: links(base, `${path}/targets`) };
}

/**
 * A volume target's properties can hold iSCSI credentials: only system readers and admins see them
 * (Ironic's baremetal:volume:view_target_properties, with its wording). Connectors have no such field.
 */
function redactTarget(c: Ctx, segment: string, wire: Record<string, unknown>): Record<string, unknown> {
  if (segment !== 'targets' || !('properties' in wire) || permits(c, 'baremetal:volume:view_target_properties')) return wire;
  return { ...wire, properties: { redacted_contents: '** Value redacted: Requires permission baremetal:volume:view_target_properties access. Permission denied. **' } };
}

/** Under a node only listing is possible; Ironic refuses the rest as not permitted. */
function notPermitted(c: Ctx): never {
  requireVersion(c, 32);
  throw new NotAuthorizedError('Operation not permitted.');
}

function addRoutes<R extends VolumeRecordOf>(r: Hono<ApiEnv>, res: VolumeResource<R>): void {
  const { kind, fields, shape, segment } = res;
  const repo = (c: Ctx) => kind.repo(c.get('deps').tables);
  const view = (c: Ctx, record: R, only?: readonly string[]) =>
    redactTarget(c, segment, resourceView(shape, record, { minor: c.get('minor'), base: c.get('base'), fields: only }));

  async function list(c: Ctx, scope: Filter[], path: string): Promise<Response> {
    requireVersion(c, 32);
    const filters = [...scope, ...nodeChildScope(c)];
    const node = c.req.query('node');
    if (node !== undefined) filters.push({ col: 'nodeUuid', op: 'eq', value: (await findNode(c.get('deps').tables, node, c.get('minor'))).uuid });
    return listResources(c, { shape, repo: repo(c), detailPath: false, filters, path, present: (wire) => redactTarget(c, segment, wire) });
  }

  r.get(`/volume/${segment}`, (c) => list(c, [], `volume/${segment}`));
  r.get(`/nodes/:node/volume/${segment}`, async (c) => {
    requireVersion(c, 32);
    const node = await findNode(c.get('deps').tables, c.req.param('node'), c.get('minor'));
    return list(c, [{ col: 'nodeUuid', op: 'eq', value: node.uuid }], `nodes/${node.uuid}/volume/${segment}`);
  });
  r.on(['POST', 'PUT', 'PATCH', 'DELETE'], `/nodes/:node/volume/${segment}`, notPermitted);
  r.all(`/nodes/:node/volume/${segment}/:ident`, notPermitted);

  r.post(`/volume/${segment}`, async (c) => {
    requireVersion(c, 32);
    const input = parseCreateBody(await readJson(c), fields, c.get('minor'), kind.resource) as Partial<R>;
    await authorizeOnNamedNode(c, 'baremetal:volume:create', input.nodeUuid);
    const record = await createVolumeRecord(c.get('deps'), kind, input);
    c.header('Location', `${c.get('base')}/v1/volume/${segment}/${record.uuid}`);
    return c.json(view(c, record), 201);
  });

  r.get(`/volume/${segment}/:ident`, async (c) => {
    requireVersion(c, 32);
    const only = parseFieldsParam(c.req.query('fields'), fields, c.get('minor'), ['links']);
    return c.json(view(c, await findVolumeRecord(c.get('deps').tables, kind, c.req.param('ident')), only));
  });

  r.patch(`/volume/${segment}/:ident`, async (c) => {
    requireVersion(c, 32);
    const record = await findVolumeRecord(c.get('deps').tables, kind, c.req.param('ident'));
    const body = await readJson(c);
    return c.json(view(c, await rewriteRecord(`${segment}:${record.id}`, async () => {
      const fresh = await findVolumeRecord(c.get('deps').tables, kind, record.uuid);
      return updateVolumeRecord(c.get('deps'), kind, fresh, patchChanges(fresh, body, fields, c.get('minor'), kind.resource));
    })));
  });

  r.delete(`/volume/${segment}/:ident`, async (c) => {
    requireVersion(c, 32);
    await deleteVolumeRecord(c.get('deps'), kind, await findVolumeRecord(c.get('deps').tables, kind, c.req.param('ident')));
    return c.body(null, 204);
  });
}

export function volumeRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });
  r.get('/volume', (c) => {
    requireVersion(c, 32);
    return c.json(volumeIndex(c.get('base'), 'volume'));
  });
  r.get('/nodes/:node/volume', async (c) => {
    requireVersion(c, 32);
    const ident = c.req.param('node');
    await findNode(c.get('deps').tables, ident, c.get('minor'));
    // Ironic builds these links from the ident as the client wrote it (name or UUID).
    return c.json(volumeIndex(c.get('base'), `nodes/${ident}/volume`));
  });
  addRoutes(r, CONNECTORS);
  addRoutes(r, TARGETS);
  return r;
}
