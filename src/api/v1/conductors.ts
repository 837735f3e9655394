// /v1/conductors (1.49): the conductor registry as clients see it, addressed by hostname.
import { Hono } from 'hono';
import { ConductorNotFoundError } from '../../common/errors.js';
import type { ApiEnv } from '../context.js';
import { parseFieldsParam } from '../fields.js';
import { listResources, requireVersion } from './collection.js';
import { resourceView } from './resource-view.js';
import { CONDUCTOR_FIELDS, CONDUCTOR_SHAPE } from './schemas/conductor-fields.js';

export function conductorRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });

  r.get('/conductors', (c) => {
    requireVersion(c, 49);
    return listResources(c, { shape: CONDUCTOR_SHAPE, repo: c.get('deps').tables.conductors, detailPath: false, path: 'conductors' });
  });

  r.get('/conductors/:hostname', async (c) => {
    requireVersion(c, 49);
    const minor = c.get('minor');
    const fields = parseFieldsParam(c.req.query('fields'), CONDUCTOR_FIELDS, minor, ['links']);
    const hostname = c.req.param('hostname');
    const conductor = await c.get('deps').tables.conductors.findBy('hostname', hostname);
    if (!conductor) throw new ConductorNotFoundError(`Conductor ${hostname} could not be found.`);
    return c.json(resourceView(CONDUCTOR_SHAPE, conductor, { minor, base: c.get('base'), fields }));
  });

  return r;
}
