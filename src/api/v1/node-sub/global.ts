// Top-level resources that belong with the node extras: the shard population (API 1.82) and external
// events from the network service (1.54), which are validated like Ironic does and then only logged.
import { Hono } from 'hono';
import { InvalidError, InvalidParameterValueError } from '../../../common/errors.js';
import { normalizeMac, normalizeUuid } from '../../../common/ids.js';
import { log } from '../../../common/log.js';
import { shardCounts } from '../../../conductor/node-data.js';
import type { ApiEnv } from '../../context.js';
import { readJson } from '../../request.js';
import { objectBody, requireMinor } from '../route-helpers.js';

const EVENT_TYPES = ['network.bind_port', 'network.unbind_port', 'network.delete_port'];
const NETWORK_KEYS: Readonly<Record<string, { required: boolean; nullable: boolean }>> = {
  event: { required: true, nullable: false }, port_id: { required: true, nullable: false },
  mac_address: { required: true, nullable: false }, status: { required: true, nullable: false },
  device_id: { required: false, nullable: true }, 'binding:host_id': { required: false, nullable: true },
  'binding:vnic_type': { required: false, nullable: true },
};
// Keys whose (non-null) value must be a UUID, as in Ironic's network event validator.
const UUID_KEYS = ['port_id', 'device_id', 'binding:host_id'];

const schemaError = (msg: string) => new InvalidParameterValueError(`Schema error for evts: ${msg}`);

function checkNetworkEvent(e: Record<string, unknown>): void {
  for (const [k, spec] of Object.entries(NETWORK_KEYS)) {
    const v = e[k];
    if (v === undefined) {
      if (spec.required) throw schemaError(`'${k}' is a required property`);
      continue;
    }
    if (!(typeof v === 'string' || (v === null && spec.nullable))) throw schemaError(`${JSON.stringify(v)} is not of type 'string' for '${k}'`);
  }
  for (const k of Object.keys(e)) if (!(k in NETWORK_KEYS)) throw schemaError(`Additional properties are not allowed ('${k}' was unexpected)`);
  for (const k of UUID_KEYS) {
    const v = e[k];
    if (typeof v === 'string' && !normalizeUuid(v)) throw new InvalidParameterValueError(`Expected a UUID for ${k}: ${v}`);
  }
  if (!normalizeMac(e.mac_address as string)) throw new InvalidParameterValueError(`Expected a MAC address but received ${String(e.mac_address)}.`);
}

export function globalRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });

  r.get('/shards', async (c) => {
    requireMinor(c, 82, 'shards');
    return c.json({ shards: await shardCounts(c.get('deps').tables) });
  });

  r.post('/events', async (c) => {
    requireMinor(c, 54, 'events');
    const body = objectBody(await readJson(c), 'evts', ['events']);
    const events = body.events;
    if (!Array.isArray(events) || events.length === 0) throw new InvalidError("Schema error for evts: 'events' must be a non-empty list");
    for (const e of events) {
      if (e === null || typeof e !== 'object' || Array.isArray(e)) throw schemaError(`${JSON.stringify(e)} is not of type 'object'`);
      const ev = e as Record<string, unknown>;
      if (!EVENT_TYPES.includes(ev.event as string)) throw schemaError(`${JSON.stringify(ev.event)} is not one of ${JSON.stringify(EVENT_TYPES)}`);
      checkNetworkEvent(ev);
    }
    // Nothing acts on these yet: Ironic itself only logs them.
    for (const e of events) log.info('received external event', { event: e });
    return c.body(null, 204);
  });

  return r;
}
