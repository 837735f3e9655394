// /v1/chassis and the node lists of a chassis (/v1/chassis/{uuid}/nodes, served by the node list).
import { Hono } from 'hono';
import type { ChassisRecord } from '../../db/records.js';
import { createChassis, deleteChassis, findChassis, updateChassis } from '../../conductor/chassis-service.js';
import { rewriteRecord } from '../../conductor/record-writes.js';
import type { ApiEnv, Ctx } from '../context.js';
import { parseCreateBody, parseFieldsParam } from '../fields.js';
import { patchChanges } from '../record-patch.js';
import { readJson } from '../request.js';
import { listResources } from './collection.js';
import { listNodes } from './nodes.js';
import { resourceView } from './resource-view.js';
import { CHASSIS_FIELDS, CHASSIS_SHAPE } from './schemas/chassis-fields.js';

const view = (c: Ctx, chassis: ChassisRecord, fields?: readonly string[]) =>
  resourceView(CHASSIS_SHAPE, chassis, { minor: c.get('minor'), base: c.get('base'), fields });

const listChassis = (c: Ctx, detailPath: boolean) =>
  listResources(c, { shape: CHASSIS_SHAPE, repo: c.get('deps').tables.chassis, detailPath, path: 'chassis' });

async function listChassisNodes(c: Ctx, detailPath: boolean): Promise<Response> {
  const chassis = await findChassis(c.get('deps').tables, c.req.param('ident')!);
  return listNodes(c, detailPath, [{ col: 'chassisUuid', op: 'eq', value: chassis.uuid }], `chassis/${chassis.uuid}/nodes`);
}

export function chassisRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });

  r.get('/chassis', (c) => listChassis(c, false));
  r.get('/chassis/detail', (c) => listChassis(c, true));
  r.get('/chassis/:ident/nodes', (c) => listChassisNodes(c, false));
  r.get('/chassis/:ident/nodes/detail', (c) => listChassisNodes(c, true));

  r.post('/chassis', async (c) => {
    const input = parseCreateBody(await readJson(c), CHASSIS_FIELDS, c.get('minor'), 'chassis') as Partial<ChassisRecord>;
    const chassis = await createChassis(c.get('deps'), input);
    c.header('Location', `${c.get('base')}/v1/chassis/${chassis.uuid}`);
    return c.json(view(c, chassis), 201);
  });

  r.get('/chassis/:ident', async (c) => {
    const fields = parseFieldsParam(c.req.query('fields'), CHASSIS_FIELDS, c.get('minor'), ['links', 'nodes']);
    return c.json(view(c, await findChassis(c.get('deps').tables, c.req.param('ident')), fields));
  });

  r.patch('/chassis/:ident', async (c) => {
    const chassis = await findChassis(c.get('deps').tables, c.req.param('ident'));
    const body = await readJson(c);
    return c.json(view(c, await rewriteRecord(`chassis:${chassis.id}`, async () => {
      const fresh = await findChassis(c.get('deps').tables, chassis.uuid);
      return updateChassis(c.get('deps'), fresh, patchChanges(fresh, body, CHASSIS_FIELDS, c.get('minor'), 'chassis'));
    })));
  });

  r.delete('/chassis/:ident', async (c) => {
    await deleteChassis(c.get('deps'), await findChassis(c.get('deps').tables, c.req.param('ident')));
    return c.body(null, 204);
  });

  return r;
}
