// Read-only views of what is recorded about a node: its inspection inventory (API 1.81), its child nodes
// (1.83) and its firmware components (1.86).
import { Hono } from 'hono';
import { InvalidParameterValueError } from '../../../common/errors.js';
import type { FirmwareComponentRecord } from '../../../db/records.js';
import { getInventory, listChildren, listFirmware } from '../../../conductor/node-data.js';
import type { ApiEnv } from '../../context.js';
import { parseFieldsParam } from '../../fields.js';
import { boolParam } from '../../request.js';
import { NODE_FIELDS } from '../schemas/node-fields.js';
import { nodeView } from '../node-view.js';
import { nodeParam, requireMinor } from '../route-helpers.js';
import { nodeListProject, redactNode } from '../../auth/authorize.js';

const FIRMWARE_FIELDS = ['component', 'initial_version', 'current_version', 'last_version_flashed'] as const;

function firmwareView(fw: FirmwareComponentRecord, fields: readonly string[]): Record<string, unknown> {
  const all: Record<string, unknown> = { component: fw.component, initial_version: fw.initialVersion,
    current_version: fw.currentVersion, last_version_flashed: fw.lastVersionFlashed };
  const out: Record<string, unknown> = { created_at: fw.createdAt, updated_at: fw.updatedAt };
  for (const f of fields) out[f] = all[f];
  return out;
}

export function nodeDataRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });

  r.get('/nodes/:ident/inventory', async (c) => {
    requireMinor(c, 81, 'inventory');
    const { inventory, pluginData } = await getInventory(c.get('deps').tables, await nodeParam(c));
    return c.json({ inventory, plugin_data: pluginData });
  });

  r.get('/nodes/:ident/firmware', async (c) => {
    requireMinor(c, 86, 'firmware');
    const node = await nodeParam(c);
    const raw = c.req.query('fields');
    const detail = boolParam(c, 'detail');
    if (raw !== undefined && detail) throw new InvalidParameterValueError('Can not specify ?detail=True and fields in the same request.');
    const fields = raw === undefined ? FIRMWARE_FIELDS : raw.split(',').map((s) => s.trim()).filter(Boolean);
    for (const f of fields) {
      if (!(FIRMWARE_FIELDS as readonly string[]).includes(f) && f !== 'created_at' && f !== 'updated_at') {
        throw new InvalidParameterValueError(`Field ${f} is not a valid field.`);
      }
    }
    const shown = fields.filter((f) => (FIRMWARE_FIELDS as readonly string[]).includes(f));
    return c.json({ firmware: (await listFirmware(c.get('deps').tables, node)).map((fw) => firmwareView(fw, shown)) });
  });

  // UUIDs by default; `detail=true` gives full node views and `fields=` node views with those fields only.
  r.get('/nodes/:ident/children', async (c) => {
    requireMinor(c, 83, 'children');
    const node = await nodeParam(c);
    const minor = c.get('minor');
    const detail = boolParam(c, 'detail');
    const fields = parseFieldsParam(c.req.query('fields'), NODE_FIELDS, minor, ['links']);
    if (fields && detail) throw new InvalidParameterValueError('Can not specify ?detail=True and fields in the same request.');
    const deps = c.get('deps');
    // As in Ironic, the children are a node list: a project user sees only its project's.
    const project = nodeListProject(c);
    const children = (await listChildren(deps.tables, node)).filter((n) => project === null || n.owner === project || n.lessee === project);
    if (!detail && !fields) return c.json({ children: children.map((n) => n.uuid) });
    const opts = { minor, base: c.get('base'), registry: deps.registry, fields };
    return c.json({ children: await Promise.all(children.map((n) => nodeView(n, { ...opts, redact: redactNode(c, n) }))) });
  });

  return r;
}
