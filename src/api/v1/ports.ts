// /v1/ports and the port lists scoped to a node (/v1/nodes/{node}/ports) or a portgroup
// (/v1/portgroups/{pg}/ports): create, show, list with filters, patch, delete.
import { Hono } from 'hono';
import { InvalidParameterValueError, NotAcceptableError } from '../../common/errors.js';
import { normalizeMac, normalizeUuid } from '../../common/ids.js';
import type { Filter } from '../../db/repository.js';
import type { PortRecord } from '../../db/records.js';
import { findNode } from '../../conductor/node-service.js';
import { createPort, deletePort, findPort, updatePort } from '../../conductor/port-service.js';
import { findPortgroup } from '../../conductor/portgroup-service.js';
import { rewriteRecord } from '../../conductor/record-writes.js';
import type { ApiEnv, Ctx } from '../context.js';
import { parseCreateBody, parseFieldsParam } from '../fields.js';
import { patchChanges } from '../record-patch.js';
import { readJson } from '../request.js';
import { listResources, requireVersion } from './collection.js';
import { authorizeNodeLink, authorizeOnNamedNode, nodeChildScope } from '../auth/authorize.js';
import { parsePatch } from '../json-patch.js';
import { resourceView } from './resource-view.js';
import { PORT_FIELDS, PORT_SHAPE } from './schemas/port-fields.js';

const view = (c: Ctx, port: PortRecord, fields?: readonly string[]) =>
  resourceView(PORT_SHAPE, port, { minor: c.get('minor'), base: c.get('base'), fields });

/** Query filters of port lists; `node_uuid` wins over `node` as in Ironic. */
async function portFilters(c: Ctx): Promise<Filter[]> {
  const { tables } = c.get('deps');
  const minor = c.get('minor');
  const out: Filter[] = [];
  const nodeUuid = c.req.query('node_uuid');
  const node = c.req.query('node');
  if (nodeUuid !== undefined) {
    if (!normalizeUuid(nodeUuid)) throw new InvalidParameterValueError(`Expected UUID for node_uuid: ${nodeUuid}`);
    out.push({ col: 'nodeUuid', op: 'eq', value: (await findNode(tables, nodeUuid, minor)).uuid });
  } else if (node !== undefined) {
    out.push({ col: 'nodeUuid', op: 'eq', value: (await findNode(tables, node, minor)).uuid });
  }
  const address = c.req.query('address');
  if (address !== undefined) {
    const mac = normalizeMac(address);
    if (!mac) throw new InvalidParameterValueError(`Expected valid MAC address for address: ${address}`);
    out.push({ col: 'address', op: 'eq', value: mac });
  }
  const portgroup = c.req.query('portgroup');
  if (portgroup !== undefined) {
    if (minor < 24) throw new NotAcceptableError('The portgroup parameter requires API version 1.24 or later.');
    out.push({ col: 'portgroupUuid', op: 'eq', value: (await findPortgroup(tables, portgroup)).uuid });
  }
  return out;
}

async function listPorts(c: Ctx, detailPath: boolean, scope: Filter[], path: string): Promise<Response> {
  const filters = [...scope, ...nodeChildScope(c), ...(await portFilters(c))];
  return listResources(c, { shape: PORT_SHAPE, repo: c.get('deps').tables.ports, detailPath, filters, path });
}

async function listNodePorts(c: Ctx, detailPath: boolean): Promise<Response> {
  const node = await findNode(c.get('deps').tables, c.req.param('node')!, c.get('minor'));
  return listPorts(c, detailPath, [{ col: 'nodeUuid', op: 'eq', value: node.uuid }], `nodes/${node.uuid}/ports`);
}

async function listPortgroupPorts(c: Ctx, detailPath: boolean): Promise<Response> {
  requireVersion(c, 24);
  const pg = await findPortgroup(c.get('deps').tables, c.req.param('portgroup')!);
  return listPorts(c, detailPath, [{ col: 'portgroupUuid', op: 'eq', value: pg.uuid }], `portgroups/${pg.uuid}/ports`);
}

/** The node a port or portgroup patch moves the record to, if it does. */
export function newNodeOf(body: unknown): string | undefined {
  const op = parsePatch(body).find((o) => o.path === '/node_uuid' && o.op !== 'remove');
  return typeof op?.value === 'string' ? op.value : undefined;
}

export function portRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });

  // The /detail routes come first so "detail" is never taken for a port ident.
  r.get('/ports', (c) => listPorts(c, false, [], 'ports'));
  r.get('/ports/detail', (c) => listPorts(c, true, [], 'ports'));
  r.get('/nodes/:node/ports', (c) => listNodePorts(c, false));
  r.get('/nodes/:node/ports/detail', (c) => listNodePorts(c, true));
  r.get('/portgroups/:portgroup/ports', (c) => listPortgroupPorts(c, false));
  r.get('/portgroups/:portgroup/ports/detail', (c) => listPortgroupPorts(c, true));

  r.post('/ports', async (c) => {
    const minor = c.get('minor');
    const input = parseCreateBody(await readJson(c), PORT_FIELDS, minor, 'port') as Partial<PortRecord>;
    await authorizeOnNamedNode(c, 'baremetal:port:create', input.nodeUuid);
    const port = await createPort(c.get('deps'), input);
    c.header('Location', `${c.get('base')}/v1/ports/${port.uuid}`);
    return c.json(view(c, port), 201);
  });

  r.get('/ports/:ident', async (c) => {
    const minor = c.get('minor');
    const fields = parseFieldsParam(c.req.query('fields'), PORT_FIELDS, minor, ['links']);
    return c.json(view(c, await findPort(c.get('deps').tables, c.req.param('ident'), minor), fields));
  });

  r.patch('/ports/:ident', async (c) => {
    const minor = c.get('minor');
    const port = await findPort(c.get('deps').tables, c.req.param('ident'), minor);
    const body = await readJson(c);
    await authorizeNodeLink(c, port.nodeUuid, newNodeOf(body), 'node_uuid');
    // Re-read and re-applied on the record as it is when this write's turn comes (conductor/record-writes.ts).
    return c.json(view(c, await rewriteRecord(`ports:${port.id}`, async () => {
      const fresh = await findPort(c.get('deps').tables, port.uuid, minor);
      return updatePort(c.get('deps'), fresh, patchChanges(fresh, body, PORT_FIELDS, minor, 'port'), minor);
    })));
  });

  r.delete('/ports/:ident', async (c) => {
    await deletePort(c.get('deps'), await findPort(c.get('deps').tables, c.req.param('ident'), c.get('minor')));
    return c.body(null, 204);
  });

  return r;
}
