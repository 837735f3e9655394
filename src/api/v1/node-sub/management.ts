// Out-of-band management sub-resources: indicator LEDs (API 1.63), boot mode and secure boot changes
// (1.76, answered 202 and run in the background) and virtual media attach/detach (1.89; listing is 1.93).
import { Hono } from 'hono';
import { InvalidParameterValueError, MissingParameterValueError, NotFoundError } from '../../../common/errors.js';
import { changeBootMode, changeSecureBoot } from '../../../conductor/boot-mode-change.js';
import { getIndicatorState, listIndicators, setIndicatorState } from '../../../conductor/indicators.js';
import { attachVirtualMedia, detachVirtualMedia } from '../../../conductor/vmedia.js';
import type { ApiEnv, Ctx } from '../../context.js';
import { links } from '../../context.js';
import { asBoolean, readJson } from '../../request.js';
import { nodeParam, objectBody, requireMinor } from '../route-helpers.js';

async function targetBody(c: Ctx, what: string): Promise<unknown> {
  const body = objectBody(await readJson(c), what, ['target']);
  if (body.target === undefined) throw new MissingParameterValueError('Missing argument: "target"');
  return body.target;
}

function statesLocation(c: Ctx): void {
  c.header('Location', `${c.get('base')}/v1/nodes/${c.req.param('ident')}/states`);
}

export function managementRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });

  r.get('/nodes/:ident/management/indicators', async (c) => {
    requireMinor(c, 63, 'indicators');
    const node = await nodeParam(c);
    const ident = c.req.param('ident');
    const entries = await listIndicators(c.get('deps'), node);
    // Ironic links each indicator under the node identifier the client used.
    return c.json({ indicators: entries.map((e) => ({ ...e, links: links(c.get('base'), `nodes/${ident}/management/indicators/${e.name}`) })) });
  });

  r.get('/nodes/:ident/management/indicators/:indicator', async (c) => {
    requireMinor(c, 63, 'indicators');
    const node = await nodeParam(c);
    return c.json({ state: await getIndicatorState(c.get('deps'), node, c.req.param('indicator')) });
  });

  r.put('/nodes/:ident/management/indicators/:indicator', async (c) => {
    requireMinor(c, 63, 'indicators');
    const node = await nodeParam(c);
    const body = objectBody(await readJson(c), 'indicator', ['state']);
    if (typeof body.state !== 'string') throw new MissingParameterValueError('Missing argument: "state"');
    await setIndicatorState(c.get('deps'), node, c.req.param('indicator'), body.state);
    return c.body(null, 204);
  });

  r.put('/nodes/:ident/states/boot_mode', async (c) => {
    const node = await nodeParam(c);
    requireMinor(c, 76, 'boot_mode');
    await changeBootMode(c.get('deps'), node, await targetBody(c, 'boot mode'));
    statesLocation(c);
    return c.body(null, 202);
  });

  r.put('/nodes/:ident/states/secure_boot', async (c) => {
    const node = await nodeParam(c);
    requireMinor(c, 76, 'secure_boot');
    const raw = await targetBody(c, 'secure boot');
    const target = asBoolean(raw);
    if (target === null) {
      throw new InvalidParameterValueError(`Invalid secure_boot ${JSON.stringify(raw)} requested for node. Allowed secure_boot states are: True, False`);
    }
    await changeSecureBoot(c.get('deps'), node, target);
    statesLocation(c);
    return c.body(null, 202);
  });

  r.post('/nodes/:ident/vmedia', async (c) => {
    requireMinor(c, 89, 'vmedia');
    const node = await nodeParam(c);
    const body = objectBody(await readJson(c), 'vmedia', ['device_type', 'image_url', 'image_download_source']);
    for (const k of ['device_type', 'image_url'] as const) {
      if (typeof body[k] !== 'string') throw new InvalidParameterValueError(`Schema error for vmedia: '${k}' is a required string property`);
    }
    const source = body.image_download_source ?? 'local';
    if (typeof source !== 'string') throw new InvalidParameterValueError("Schema error for vmedia: 'image_download_source' must be a string");
    await attachVirtualMedia(c.get('deps'), node, {
      deviceType: body.device_type as string, imageUrl: body.image_url as string, imageDownloadSource: source,
    });
    return c.body(null, 204);
  });

  r.delete('/nodes/:ident/vmedia', async (c) => {
    requireMinor(c, 89, 'vmedia');
    const node = await nodeParam(c);
    const raw = c.req.query('device_types');
    const types = raw === undefined ? ['cdrom', 'disk', 'floppy'] : raw.split(',').map((s) => s.trim()).filter(Boolean);
    await detachVirtualMedia(c.get('deps'), node, types);
    return c.body(null, 204);
  });

  // Listing attached media is API 1.93, beyond what Anvil serves: the path is unknown at every version we speak.
  r.get('/nodes/:ident/vmedia', () => {
    throw new NotFoundError('The resource could not be found.');
  });

  return r;
}
