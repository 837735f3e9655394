// RAID (API 1.12): the node's target RAID configuration and the logical disk properties a driver accepts.
// Ironic answers 406 (not 404) below 1.12 for both: the paths belong to resources that existed before.
import { Hono } from 'hono';
import { InvalidParameterValueError, NotAcceptableError } from '../../../common/errors.js';
import { driverLogicalDiskProperties, setTargetRaidConfig } from '../../../conductor/raid.js';
import type { ApiEnv, Ctx } from '../../context.js';
import { readJson } from '../../request.js';
import { nodeParam } from '../route-helpers.js';

function requireRaidVersion(c: Ctx): void {
  if (c.get('minor') < 12) throw new NotAcceptableError('RAID configuration requires API version 1.12 or later.');
}

export function raidRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });

  r.put('/nodes/:ident/states/raid', async (c) => {
    const node = await nodeParam(c);
    requireRaidVersion(c);
    const body = await readJson(c);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new InvalidParameterValueError('Invalid target_raid_config: the RAID configuration must be a JSON object.');
    }
    await setTargetRaidConfig(c.get('deps'), node, body as Record<string, unknown>);
    return c.body(null, 204);
  });

  r.get('/drivers/:name/raid/logical_disk_properties', async (c) => {
    requireRaidVersion(c);
    return c.json(await driverLogicalDiskProperties(c.get('deps'), c.req.param('name')));
  });

  return r;
}
