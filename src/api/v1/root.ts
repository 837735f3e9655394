// Version discovery: GET / (all API versions) and GET /v1 (this version's resources), both public.
import { Hono } from 'hono';
import { MAX_VERSION, MIN_VERSION } from '../versions.js';
import { links, type ApiEnv } from '../context.js';

function versionObject(base: string) {
  return { id: 'v1', links: [{ href: `${base}/v1/`, rel: 'self' }], status: 'CURRENT', min_version: MIN_VERSION, version: MAX_VERSION };
}

/** Collections listed in /v1 and the microversion that introduced each (Ironic's list). */
const COLLECTIONS: [string, number][] = [['chassis', 1], ['nodes', 1], ['ports', 1], ['drivers', 1], ['lookup', 22],
  ['heartbeat', 22], ['portgroups', 23], ['volume', 32], ['conductors', 49], ['allocations', 52], ['events', 54],
  ['deploy_templates', 55], ['shards', 82], ['continue_inspection', 84]];

export function rootRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });
  r.get('/', (c) => {
    const base = c.get('base');
    return c.json({
      // The name is what clients recognise the service by; Anvil answers as an Ironic API.
      name: 'OpenStack Ironic API',
      description: 'Anvil provisions bare-metal machines; it serves the OpenStack Ironic v1 API.',
      default_version: versionObject(base),
      versions: [versionObject(base)],
    });
  });
  r.get('/v1', (c) => {
    const base = c.get('base');
    const minor = c.get('minor');
    const body: Record<string, unknown> = {
      id: 'v1',
      links: [{ href: `${base}/v1/`, rel: 'self' }, { href: 'https://docs.openstack.org/ironic/latest/contributor/webapi.html', rel: 'describedby', type: 'text/html' }],
      media_types: { base: 'application/json', type: 'application/vnd.openstack.ironic.v1+json' },
      version: versionObject(base),
    };
    for (const [name, since] of COLLECTIONS) if (since <= minor) body[name] = links(base, name).map((l) => ({ ...l, href: l.href.replace(/\/$/, '') + '/' }));
    return c.json(body);
  });
  return r;
}
