// /v1/nodes/{node}/vifs (API 1.28): list, attach (optionally to a named port or portgroup from 1.67) and
// detach virtual interfaces.
import { Hono } from 'hono';
import { InvalidError, InvalidParameterValueError } from '../../../common/errors.js';
import { normalizeUuid } from '../../../common/ids.js';
import { attachVif, detachVif, listVifs } from '../../../conductor/vifs.js';
import type { ApiEnv, Ctx } from '../../context.js';
import { readJson } from '../../request.js';
import { nodeParam, requireMinor } from '../route-helpers.js';

const NAME_RE = /^[A-Za-z0-9\-._~]+$/;

/** Ironic accepts a UUID or a logical name as VIF id. */
function vifId(value: unknown): string {
  if (typeof value !== 'string') throw new InvalidError("Schema error for vif: 'id' is a required string property");
  if (!normalizeUuid(value) && !NAME_RE.test(value)) throw new InvalidParameterValueError(`Expected UUID or name for id: ${value}`);
  return value;
}

function optionalUuid(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  const u = typeof v === 'string' ? normalizeUuid(v) : null;
  if (!u) throw new InvalidParameterValueError(`Expected a UUID for ${key}: ${JSON.stringify(v)}`);
  return u;
}

const gate = (c: Ctx) => requireMinor(c, 28, 'vifs');

export function vifRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });

  r.get('/nodes/:ident/vifs', async (c) => {
    gate(c);
    return c.json({ vifs: await listVifs(c.get('deps').tables, await nodeParam(c)) });
  });

  r.post('/nodes/:ident/vifs', async (c) => {
    gate(c);
    const node = await nodeParam(c);
    const body = await readJson(c);
    // Extra keys are allowed, as in Ironic (clients send neutron port details along).
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidError('Schema error for vif: the body must be a JSON object');
    const b = body as Record<string, unknown>;
    const id = vifId(b.id);
    let portUuid: string | undefined;
    let portgroupUuid: string | undefined;
    // Before 1.67 the two keys meant nothing; they are ignored rather than refused.
    if (c.get('minor') >= 67) {
      if (b.port_uuid !== undefined && b.portgroup_uuid !== undefined) throw new InvalidError('Cannot specify both port_uuid and portgroup_uuid');
      portUuid = optionalUuid(b, 'port_uuid');
      portgroupUuid = optionalUuid(b, 'portgroup_uuid');
    }
    await attachVif(c.get('deps'), node, { id, portUuid, portgroupUuid });
    return c.body(null, 204);
  });

  r.delete('/nodes/:ident/vifs/:vif', async (c) => {
    gate(c);
    const node = await nodeParam(c);
    await detachVif(c.get('deps'), node, vifId(c.req.param('vif')));
    return c.body(null, 204);
  });

  return r;
}
