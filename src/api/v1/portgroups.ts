// /v1/portgroups (1.23) and /v1/nodes/{node}/portgroups (1.24): create, show, list, patch, delete.
import { Hono } from 'hono';
import { InvalidError, InvalidParameterValueError } from '../../common/errors.js';
import { normalizeMac } from '../../common/ids.js';
import type { Filter } from '../../db/repository.js';
import type { PortgroupRecord } from '../../db/records.js';
import { findNode } from '../../conductor/node-service.js';
import { createPortgroup, deletePortgroup, findPortgroup, updatePortgroup } from '../../conductor/portgroup-service.js';
import { rewriteRecord } from '../../conductor/record-writes.js';
import type { ApiEnv, Ctx } from '../context.js';
import { parseCreateBody, parseFieldsParam } from '../fields.js';
import { parsePatch } from '../json-patch.js';
import { patchChanges } from '../record-patch.js';
import { readJson } from '../request.js';
import { listResources, requireVersion } from './collection.js';
import { authorizeNodeLink, authorizeOnNamedNode, nodeChildScope } from '../auth/authorize.js';
import { newNodeOf } from './ports.js';
import { resourceView } from './resource-view.js';
import {
  DEFAULT_PORTGROUP_MODE, PORTGROUP_FIELDS, PORTGROUP_SHAPE, checkPortgroupNameOnCreate, checkPortgroupNameOnPatch,
} from './schemas/portgroup-fields.js';

const view = (c: Ctx, pg: PortgroupRecord, fields?: readonly string[]) =>
  resourceView(PORTGROUP_SHAPE, pg, { minor: c.get('minor'), base: c.get('base'), fields });

async function portgroupFilters(c: Ctx): Promise<Filter[]> {
  const out: Filter[] = [];
  const node = c.req.query('node');
  if (node !== undefined) out.push({ col: 'nodeUuid', op: 'eq', value: (await findNode(c.get('deps').tables, node, c.get('minor'))).uuid });
  const address = c.req.query('address');
  if (address !== undefined) {
    const mac = normalizeMac(address);
    if (!mac) throw new InvalidParameterValueError(`Expected valid MAC address for address: ${address}`);
    out.push({ col: 'address', op: 'eq', value: mac });
  }
  return out;
}

async function listPortgroups(c: Ctx, detailPath: boolean, scope: Filter[], path: string): Promise<Response> {
  requireVersion(c, 23);
  const filters = [...scope, ...nodeChildScope(c), ...(await portgroupFilters(c))];
  return listResources(c, { shape: PORTGROUP_SHAPE, repo: c.get('deps').tables.portgroups, detailPath, filters, path });
}

async function listNodePortgroups(c: Ctx, detailPath: boolean): Promise<Response> {
  requireVersion(c, 24);
  const node = await findNode(c.get('deps').tables, c.req.param('node')!, c.get('minor'));
  return listPortgroups(c, detailPath, [{ col: 'nodeUuid', op: 'eq', value: node.uuid }], `nodes/${node.uuid}/portgroups`);
}

export function portgroupRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });

  r.get('/portgroups', (c) => listPortgroups(c, false, [], 'portgroups'));
  r.get('/portgroups/detail', (c) => listPortgroups(c, true, [], 'portgroups'));
  r.get('/nodes/:node/portgroups', (c) => listNodePortgroups(c, false));
  r.get('/nodes/:node/portgroups/detail', (c) => listNodePortgroups(c, true));

  r.post('/portgroups', async (c) => {
    requireVersion(c, 23);
    const input = parseCreateBody(await readJson(c), PORTGROUP_FIELDS, c.get('minor'), 'portgroup') as Partial<PortgroupRecord>;
    checkPortgroupNameOnCreate(input.name);
    await authorizeOnNamedNode(c, 'baremetal:portgroup:create', input.nodeUuid);
    const pg = await createPortgroup(c.get('deps'), input, DEFAULT_PORTGROUP_MODE);
    c.header('Location', `${c.get('base')}/v1/portgroups/${pg.uuid}`);
    return c.json(view(c, pg), 201);
  });

  r.get('/portgroups/:ident', async (c) => {
    requireVersion(c, 23);
    const fields = parseFieldsParam(c.req.query('fields'), PORTGROUP_FIELDS, c.get('minor'), ['links', 'ports']);
    return c.json(view(c, await findPortgroup(c.get('deps').tables, c.req.param('ident')), fields));
  });

  r.patch('/portgroups/:ident', async (c) => {
    requireVersion(c, 23);
    const minor = c.get('minor');
    const ident = c.req.param('ident');
    const pg = await findPortgroup(c.get('deps').tables, ident);
    const body = await readJson(c);
    await authorizeNodeLink(c, pg.nodeUuid, newNodeOf(body), 'node_uuid');
    // Checked before applying, as Ironic does, so the messages name the offending request value.
    for (const op of parsePatch(body)) {
      if (op.path === '/name' && op.op !== 'remove') checkPortgroupNameOnPatch(ident, op.value);
      if (op.path === '/mode' && op.op === 'remove' && minor >= 26) throw new InvalidError("'mode' is a mandatory attribute and can not be removed");
    }
    return c.json(view(c, await rewriteRecord(`portgroups:${pg.id}`, async () => {
      const fresh = await findPortgroup(c.get('deps').tables, pg.uuid);
      const changes = patchChanges(fresh, body, PORTGROUP_FIELDS, minor, 'portgroup');
      if ('mode' in changes && changes.mode === null) throw new InvalidError("'mode' is a mandatory attribute and can not be removed");
      return updatePortgroup(c.get('deps'), fresh, changes, minor);
    })));
  });

  r.delete('/portgroups/:ident', async (c) => {
    requireVersion(c, 23);
    await deletePortgroup(c.get('deps'), await findPortgroup(c.get('deps').tables, c.req.param('ident')));
    return c.body(null, 204);
  });

  return r;
}
