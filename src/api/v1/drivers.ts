// /v1/drivers: the hardware types enabled here and served by at least one alive conductor (as Ironic lists only
// active hardware types), one driver in detail, and the driver_info keys it reads (/properties).
import { Hono } from 'hono';
import { DriverNotFoundError, InvalidError, InvalidParameterValueError, NotAcceptableError } from '../../common/errors.js';
import { findHardwareType, hardwareTypeProperties, type HardwareType } from '../../drivers/hardware-types.js';
import type { ApiEnv, Ctx } from '../context.js';
import { boolParam } from '../request.js';
import { driverView, selectFields } from './driver-view.js';

interface ActiveDriver {
  readonly type: HardwareType;
  readonly hosts: string[];
}

async function activeDrivers(c: Ctx): Promise<ActiveDriver[]> {
  const { config, registry } = c.get('deps');
  const alive = await registry.alive();
  const out: ActiveDriver[] = [];
  for (const name of [...config.enabledHardwareTypes].sort()) {
    const type = findHardwareType(name, config.enabledHardwareTypes);
    const hosts = alive.filter((a) => a.drivers.includes(name)).map((a) => a.hostname).sort();
    if (type && hosts.length > 0) out.push({ type, hosts });
  }
  return out;
}

async function activeDriver(c: Ctx, name: string): Promise<ActiveDriver> {
  const found = (await activeDrivers(c)).find((d) => d.type.name === name);
  if (!found) throw new DriverNotFoundError(`Could not find the following driver(s) or hardware type(s): ${name}.`);
  return found;
}

/** `fields` on drivers came with 1.77; names are those of the detailed view at the request version. */
function driverFields(c: Ctx, sample: () => Record<string, unknown>): string[] | undefined {
  const raw = c.req.query('fields');
  if (raw === undefined) return undefined;
  if (c.get('minor') < 77) throw new NotAcceptableError('The fields parameter requires API version 1.77 or later.');
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const known = Object.keys(sample());
  for (const n of names) if (!known.includes(n)) throw new InvalidParameterValueError(`Field ${n} is not a valid field.`);
  return names;
}

export function driverRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });

  r.get('/drivers', async (c) => {
    const minor = c.get('minor');
    const base = c.get('base');
    const detailParam = boolParam(c, 'detail');
    const typeParam = c.req.query('type');
    if (detailParam !== undefined && minor < 30) throw new NotAcceptableError('The detail parameter requires API version 1.30 or later.');
    if (typeParam !== undefined && minor < 30) throw new NotAcceptableError('The type parameter requires API version 1.30 or later.');
    if (typeParam !== undefined && !['classic', 'dynamic'].includes(typeParam)) {
      throw new InvalidError('"type" filter must be one of "classic" or "dynamic", if specified.');
    }
    const drivers = typeParam === 'classic' ? [] : await activeDrivers(c);
    const full = (d: ActiveDriver) => driverView(d.type, d.hosts, { minor, base, detail: true });
    const sample = drivers[0];
    const fields = driverFields(c, () => (sample ? full(sample) : {}));
    if (fields && detailParam === true) throw new InvalidParameterValueError('Can not specify ?detail=True and fields in the same request.');
    const items = drivers.map((d) => (fields ? selectFields(full(d), fields) : driverView(d.type, d.hosts, { minor, base, detail: detailParam === true })));
    return c.json({ drivers: items });
  });

  r.get('/drivers/:name', async (c) => {
    const d = await activeDriver(c, c.req.param('name'));
    const view = driverView(d.type, d.hosts, { minor: c.get('minor'), base: c.get('base'), detail: true });
    const fields = driverFields(c, () => view);
    return c.json(fields ? selectFields(view, fields) : view);
  });

  r.get('/drivers/:name/properties', async (c) => {
    const d = await activeDriver(c, c.req.param('name'));
    const props = hardwareTypeProperties(d.type);
    return c.json(Object.fromEntries(Object.entries(props).map(([k, spec]) => [k, spec.description])));
  });

  return r;
}
