// Per-node actions: provision, power and console state changes (202, run in the background), boot device,
// NMI, maintenance and history.
import { Hono } from 'hono';
import { InvalidError, InvalidParameterValueError, MissingParameterValueError, NotFoundError } from '../../common/errors.js';
import { changePowerState, changeProvisionState, getBootDevice, injectNmi, setBootDevice, setMaintenance, supportedBootDevices } from '../../conductor/manager.js';
import { consoleState, setConsoleMode } from '../../conductor/console.js';
import type { ApiEnv, Ctx } from '../context.js';
import { links } from '../context.js';
import { asBoolean, parseJsonBody, readJson } from '../request.js';
import { nodeParam, objectBody, requireMinor } from './route-helpers.js';

const node = nodeParam;

export function nodeStateRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });

  r.put('/nodes/:ident/states/provision', async (c) => {
    const body = objectBody(await readJson(c), 'provision state', ['target', 'configdrive', 'clean_steps', 'deploy_steps',
      'service_steps', 'rescue_password', 'disable_ramdisk', 'runbook']);
    if (typeof body.target !== 'string') throw new InvalidError("Schema error for provision state: 'target' is a required string");
    const n = await node(c);
    await changeProvisionState(c.get('deps'), n, {
      target: body.target, configdrive: body.configdrive, cleanSteps: body.clean_steps, deploySteps: body.deploy_steps,
      serviceSteps: body.service_steps, rescuePassword: body.rescue_password, disableRamdisk: body.disable_ramdisk,
    }, c.get('minor'));
    c.header('Location', `${c.get('base')}/v1/nodes/${c.req.param('ident')}/states`);
    return c.body(null, 202);
  });

  r.put('/nodes/:ident/states/power', async (c) => {
    const body = objectBody(await readJson(c), 'power state', ['target', 'timeout']);
    if (typeof body.target !== 'string') throw new InvalidError("Schema error for power state: 'target' is a required string");
    if (body.timeout !== undefined && c.get('minor') < 27) throw new InvalidParameterValueError('The timeout parameter requires API version 1.27 or later.');
    const n = await node(c);
    await changePowerState(c.get('deps'), n, body.target, body.timeout as number | undefined, c.get('minor'));
    c.header('Location', `${c.get('base')}/v1/nodes/${c.req.param('ident')}/states`);
    return c.body(null, 202);
  });

  r.get('/nodes/:ident/states/console', async (c) => c.json(consoleState(c.get('deps'), await node(c))));
  r.put('/nodes/:ident/states/console', async (c) => {
    const body = objectBody(await readJson(c), 'console state', ['enabled']);
    if (body.enabled === undefined) throw new MissingParameterValueError('Missing argument: "enabled"');
    const enabled = asBoolean(body.enabled);
    if (enabled === null) throw new InvalidParameterValueError(`Invalid value for "enabled": ${JSON.stringify(body.enabled)}; use true or false.`);
    await setConsoleMode(c.get('deps'), await node(c), enabled);
    c.header('Location', `${c.get('base')}/v1/nodes/${c.req.param('ident')}/states/console`);
    return c.body(null, 202);
  });

  r.get('/nodes/:ident/management/boot_device', async (c) => c.json(await getBootDevice(c.get('deps'), await node(c))));
  r.get('/nodes/:ident/management/boot_device/supported', async (c) =>
    c.json({ supported_boot_devices: await supportedBootDevices(c.get('deps'), await node(c)) }));
  r.put('/nodes/:ident/management/boot_device', async (c) => {
    const body = objectBody(await readJson(c), 'boot device', ['boot_device', 'persistent']);
    if (typeof body.boot_device !== 'string') throw new InvalidError("Schema error for boot device: 'boot_device' is a required string");
    const persistent = body.persistent === undefined ? false : body.persistent;
    if (typeof persistent !== 'boolean') throw new InvalidParameterValueError('"persistent" must be a boolean');
    await setBootDevice(c.get('deps'), await node(c), body.boot_device, persistent);
    return c.body(null, 204);
  });
  r.put('/nodes/:ident/management/inject_nmi', async (c) => {
    requireMinor(c, 29, 'inject_nmi');
    await injectNmi(c.get('deps'), await node(c));
    return c.body(null, 204);
  });

  r.put('/nodes/:ident/maintenance', async (c) => {
    const text = await c.req.text();
    let reason: string | null = null;
    if (text.trim() !== '') {
      const body = objectBody(parseJsonBody(text), 'maintenance', ['reason']);
      if (body.reason !== undefined && body.reason !== null && typeof body.reason !== 'string') throw new InvalidParameterValueError('"reason" must be a string');
      reason = (body.reason as string | null | undefined) ?? null;
    }
    await setMaintenance(c.get('deps'), await node(c), true, reason);
    return c.body(null, 202);
  });
  r.delete('/nodes/:ident/maintenance', async (c) => {
    await setMaintenance(c.get('deps'), await node(c), false, null);
    return c.body(null, 202);
  });

  const historyList = async (c: Ctx, detail: boolean) => {
    requireMinor(c, 78, 'history');
    const n = await node(c);
    const rows = await c.get('deps').tables.nodeHistory.list({ filters: [{ col: 'nodeUuid', op: 'eq', value: n.uuid }] });
    return c.json({ history: rows.map((h) => ({
      uuid: h.uuid, created_at: h.createdAt, severity: h.severity, event: h.event,
      ...(detail ? { event_type: h.eventType, conductor: h.conductor, user: h.user } : {}),
      links: links(c.get('base'), `nodes/${n.uuid}/history/${h.uuid}`),
    })) });
  };
  r.get('/nodes/:ident/history', (c) => historyList(c, c.req.query('detail') === 'true' || c.req.query('detail') === 'True'));
  r.get('/nodes/:ident/history/:event', async (c) => {
    // python-ironicclient asks for `history/detail` for `node history list --long`.
    if (c.req.param('event') === 'detail') return historyList(c, true);
    requireMinor(c, 78, 'history');
    const n = await node(c);
    const h = await c.get('deps').tables.nodeHistory.findBy('uuid', c.req.param('event'));
    if (!h || h.nodeUuid !== n.uuid) throw new NotFoundError(`Node history record ${c.req.param('event')} could not be found.`);
    return c.json({ uuid: h.uuid, created_at: h.createdAt, severity: h.severity, event: h.event, event_type: h.eventType,
      conductor: h.conductor, user: h.user, links: links(c.get('base'), `nodes/${n.uuid}/history/${h.uuid}`) });
  });
  return r;
}
