// /v1/nodes/{node}/bios (API 1.40): cached BIOS settings, with the attribute registry fields, `detail` and
// `fields` from 1.74. Ironic's item shape: created_at, updated_at, the fields, then links.
import { Hono } from 'hono';
import { InvalidParameterValueError } from '../../../common/errors.js';
import type { BiosSettingRecord } from '../../../db/records.js';
import { getBiosSetting, listBiosSettings } from '../../../conductor/bios.js';
import type { ApiEnv, Ctx } from '../../context.js';
import { links } from '../../context.js';
import { boolParam } from '../../request.js';
import { nodeParam, requireMinor } from '../route-helpers.js';

const BASIC = ['name', 'value'];
const WITH_REGISTRY = [...BASIC, 'attribute_type', 'allowable_values', 'lower_bound', 'max_length', 'min_length', 'read_only',
  'reset_required', 'unique', 'upper_bound'];

const camel = (s: string) => s.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());

function settingView(s: BiosSettingRecord, fields: readonly string[], base: string, nodePath: string): Record<string, unknown> {
  const out: Record<string, unknown> = { created_at: s.createdAt, updated_at: s.updatedAt };
  for (const f of fields) {
    const v = (s as unknown as Record<string, unknown>)[camel(f)];
    out[f] = f === 'allowable_values' ? (v ?? []) : (v ?? null);
  }
  out.links = links(base, `nodes/${nodePath}/bios/${s.name}`);
  return out;
}

/** Ironic's get_request_return_fields for BIOS: both query parameters are 1.74 and exclusive. */
function listFields(c: Ctx): readonly string[] {
  const detail = boolParam(c, 'detail');
  const raw = c.req.query('fields');
  const minor = c.get('minor');
  if (detail !== undefined && minor < 74) throw new InvalidParameterValueError(`Invalid query parameter ?detail=${c.req.query('detail')} received.`);
  if (raw !== undefined && minor < 74) throw new InvalidParameterValueError(`Invalid query parameter ?fields=${raw} received.`);
  if (raw !== undefined && detail) throw new InvalidParameterValueError('Can not specify ?detail=True and fields in the same request.');
  if (raw === undefined) return detail ? WITH_REGISTRY : BASIC;
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  // created_at and updated_at are always present; naming them is allowed but adds nothing.
  for (const n of names) if (!WITH_REGISTRY.includes(n) && n !== 'created_at' && n !== 'updated_at') throw new InvalidParameterValueError(`Field ${n} is not a valid field.`);
  return names.filter((n) => WITH_REGISTRY.includes(n));
}

export function biosRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });

  r.get('/nodes/:ident/bios', async (c) => {
    requireMinor(c, 40, 'bios');
    const node = await nodeParam(c);
    const fields = listFields(c);
    const settings = await listBiosSettings(c.get('deps'), node);
    // Ironic builds list links from the identifier as given (name or UUID), the single view from the UUID.
    return c.json({ bios: settings.map((s) => settingView(s, fields, c.get('base'), c.req.param('ident'))) });
  });

  r.get('/nodes/:ident/bios/:name', async (c) => {
    requireMinor(c, 40, 'bios');
    const node = await nodeParam(c);
    const name = c.req.param('name');
    const setting = await getBiosSetting(c.get('deps'), node, name);
    const fields = c.get('minor') >= 74 ? WITH_REGISTRY : BASIC;
    return c.json({ [name]: settingView(setting, fields, c.get('base'), node.uuid) });
  });

  return r;
}
