// The HTTP side of a lab Redfish BMC (Hono): fault injection, authentication (Basic or X-Auth-Token; the
// service root and session login are open, as DSP0266 requires), the resource tree of resources.ts, ETags
// with If-Match on PATCH, Reset, boot override, virtual media actions, and every error in Redfish's format.
import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { Authenticator } from './auth.js';
import {
  errorBody, malformedJson, missingParameter, noValidSession, notAllowed, notFound, notInList, parameterFormat, parameterNotInList,
  preconditionFailed, preconditionRequired, propertyConflict, propertyNotWritable, propertyUnknown, RedfishError, resourceInUse,
} from './errors.js';
import type { MachineControl } from './machine-control.js';
import * as doc from './resources.js';
import { BOOT_ENABLED, BOOT_MODES, INDICATOR_LEDS, ROOT, type MachineFacts, type ResetType } from './resources.js';
import type { BmcSettings, SettingsStore } from './settings.js';

export interface AppDeps {
  readonly facts: MachineFacts;
  readonly settings: SettingsStore;
  readonly machine: MachineControl;
  readonly auth: Authenticator;
  /** PATCH of the System without If-Match is refused with 428 (services that require ETags). */
  readonly requireIfMatch: boolean;
}

type Env = { Bindings: HttpBindings };

const sleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));

export function etagOf(body: unknown): string {
  return `"${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16)}"`;
}

function json(c: Context<Env>, body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'OData-Version': '4.0', ETag: etagOf(body), ...headers },
  });
}

function errorResponse(err: RedfishError): Response {
  const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8', 'OData-Version': '4.0' };
  if (err.status === 401) headers['WWW-Authenticate'] = 'Basic realm="Anvil lab BMC"';
  return new Response(JSON.stringify(errorBody(err)), { status: err.status, headers });
}

/** The request body as a JSON object; an empty body is `{}` (clients POST actions without one). */
async function body(c: Context<Env>): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformedJson();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformedJson();
  return value as Record<string, unknown>;
}

const own = (o: Record<string, unknown>, k: string) => Object.prototype.hasOwnProperty.call(o, k);

function oneOf<T extends string>(value: unknown, allowed: readonly T[], property: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw notInList(value, property);
  return value as T;
}

/** Matches If-Match against the current ETag; W/ and strong forms name the same tag here. */
function ifMatchOk(header: string, current: string): boolean {
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => strip(t) === '*' || strip(t) === strip(current));
}

export function createApp(d: AppDeps): Hono<Env> {
  const { facts, settings, machine, auth } = d;
  const p = doc.paths(facts);
  const app = new Hono<Env>({ strict: false });

  app.onError((err, c) => {
    if (err instanceof RedfishError) return errorResponse(err);
    process.stderr.write(`redfish bmc ${facts.name}: ${c.req.method} ${c.req.path}: ${(err as Error).stack ?? err}\n`);
    return errorResponse(new RedfishError(500, 'InternalError', 'The request failed due to an internal service error. The service is still operational.'));
  });

  // Faults first: a slow or dropping BMC is slow or drops before it looks at credentials.
  app.use('*', async (c, next) => {
    const f = settings.faults();
    if (f.delayMs && f.delayMs > 0) await sleep(f.delayMs);
    if (f.dropRequests && f.dropRequests !== 0) {
      if (f.dropRequests > 0) settings.setFaults({ ...f, dropRequests: f.dropRequests - 1 });
      c.env.incoming.socket.destroy();
      return new Response(null, { status: 499 });
    }
    await next();
  });

  const open = new Set([`/redfish`, `${ROOT}`, `${ROOT}/odata`]);
  app.use('*', async (c, next) => {
    const path = c.req.path.replace(/\/+$/, '');
    const login = path === `${ROOT}/SessionService/Sessions` && c.req.method === 'POST';
    if (!open.has(path) && !login) {
      if (!auth.allows({ token: c.req.header('X-Auth-Token'), authorization: c.req.header('Authorization') })) throw noValidSession();
    }
    await next();
  });

  app.get('/redfish', (c) => json(c, { v1: `${ROOT}/` }));
  app.get(ROOT, (c) => json(c, doc.serviceRoot(facts)));
  app.get(`${ROOT}/odata`, (c) => json(c, {
    '@odata.context': `${ROOT}/$metadata`,
    value: ['Systems', 'Managers', 'Chassis', 'SessionService'].map((n) => ({ name: n, kind: 'Singleton', url: `${ROOT}/${n}` })),
  }));

  // Sessions
  app.get(`${ROOT}/SessionService`, (c) => json(c, doc.sessionService(auth.sessionTimeoutS)));
  app.get(`${ROOT}/SessionService/Sessions`, (c) => json(c, doc.collection(`${ROOT}/SessionService/Sessions`, 'SessionCollection', 'Sessions',
    auth.list().map((s) => `${ROOT}/SessionService/Sessions/${s.id}`))));
  app.post(`${ROOT}/SessionService/Sessions`, async (c) => {
    const b = await body(c);
    if (!auth.credentialsMatch(b.UserName, b.Password)) throw noValidSession();
    const s = auth.create(String(b.UserName));
    const location = `${ROOT}/SessionService/Sessions/${s.id}`;
    return json(c, doc.session(s), 201, { 'X-Auth-Token': s.token, Location: location });
  });
  app.get(`${ROOT}/SessionService/Sessions/:id`, (c) => {
    const s = auth.get(c.req.param('id'));
    if (!s) throw notFound(c.req.path);
    return json(c, doc.session(s));
  });
  app.delete(`${ROOT}/SessionService/Sessions/:id`, (c) => {
    if (!auth.delete(c.req.param('id'))) throw notFound(c.req.path);
    return c.body(null, 204);
  });

  // Collections of one member each
  app.get(`${ROOT}/Systems`, (c) => json(c, doc.collection(`${ROOT}/Systems`, 'ComputerSystemCollection', 'Computer System Collection', [p.system])));
  app.get(`${ROOT}/Managers`, (c) => json(c, doc.collection(`${ROOT}/Managers`, 'ManagerCollection', 'Manager Collection', [p.manager])));
  app.get(`${ROOT}/Chassis`, (c) => json(c, doc.collection(`${ROOT}/Chassis`, 'ChassisCollection', 'Chassis Collection', [p.chassis])));

  // The system
  const systemDoc = async () => doc.system(facts, settings.get(), await machine.power());
  app.get(p.system, async (c) => json(c, await systemDoc()));
  app.patch(p.system, async (c) => {
    const ifMatch = c.req.header('If-Match');
    if (ifMatch === undefined && d.requireIfMatch) throw preconditionRequired();
    if (ifMatch !== undefined && !ifMatchOk(ifMatch, etagOf(await systemDoc()))) throw preconditionFailed();
    const b = await body(c);
    const current = await systemDoc();
    const boot: Partial<Pick<BmcSettings, 'bootTarget' | 'bootEnabled' | 'bootMode'>> = {};
    const other: Partial<BmcSettings> = {};
    for (const key of Object.keys(b)) {
      const v = b[key];
      if (key === 'Boot') {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw notInList(v, 'Boot');
        const bb = v as Record<string, unknown>;
        for (const k of Object.keys(bb)) {
          if (k === 'BootSourceOverrideTarget') boot.bootTarget = oneOf(bb[k], facts.bootTargets as readonly BmcSettings['bootTarget'][], `Boot/${k}`);
          else if (k === 'BootSourceOverrideEnabled') boot.bootEnabled = oneOf(bb[k], BOOT_ENABLED, `Boot/${k}`);
          else if (k === 'BootSourceOverrideMode') boot.bootMode = oneOf(bb[k], BOOT_MODES, `Boot/${k}`);
          else if (own(current.Boot as Record<string, unknown>, k)) throw propertyNotWritable(`Boot/${k}`);
          else throw propertyUnknown(`Boot/${k}`);
        }
      } else if (key === 'IndicatorLED') other.indicatorLed = oneOf(v, INDICATOR_LEDS, key);
      else if (key === 'AssetTag') {
        if (typeof v !== 'string' || v.length > 64) throw notInList(v, key);
        other.assetTag = v;
      } else if (own(current, key)) throw propertyNotWritable(key);
      else throw propertyUnknown(key);
    }
    if (Object.keys(other).length) settings.update(other);
    if (Object.keys(boot).length) await machine.setBoot(boot);
    return c.body(null, 204);
  });
  app.post(p.reset, async (c) => {
    const b = await body(c);
    const action = 'ComputerSystem.Reset';
    if (!own(b, 'ResetType')) throw missingParameter('ResetType', action);
    if (typeof b.ResetType !== 'string' || !(facts.resetTypes as readonly string[]).includes(b.ResetType)) {
      throw parameterNotInList(b.ResetType, 'ResetType', action);
    }
    await machine.reset(b.ResetType as ResetType);
    return c.body(null, 204);
  });
  app.get(p.bios, (c) => json(c, doc.bios(facts, settings.get())));
  if (facts.secureBoot) {
    app.get(p.secureBoot, (c) => json(c, doc.secureBoot(facts, settings.get())));
    app.patch(p.secureBoot, async (c) => {
      const b = await body(c);
      for (const key of Object.keys(b)) {
        if (key !== 'SecureBootEnable') throw own(doc.secureBoot(facts, settings.get()), key) ? propertyNotWritable(key) : propertyUnknown(key);
      }
      if (own(b, 'SecureBootEnable')) {
        if (typeof b.SecureBootEnable !== 'boolean') throw notInList(b.SecureBootEnable, 'SecureBootEnable');
        if (b.SecureBootEnable && settings.get().bootMode !== 'UEFI') throw propertyConflict('SecureBootEnable', 'Boot/BootSourceOverrideMode');
        settings.update({ secureBoot: b.SecureBootEnable });
      }
      return c.body(null, 204);
    });
  }
  app.get(`${p.system}/EthernetInterfaces`, (c) => json(c, doc.collection(`${p.system}/EthernetInterfaces`, 'EthernetInterfaceCollection', 'Ethernet Interfaces', [p.nic])));
  app.get(p.nic, (c) => json(c, doc.ethernetInterface(facts)));
  const cpus = Array.from({ length: facts.cpu.count }, (_, i) => i);
  app.get(`${p.system}/Processors`, (c) => json(c, doc.collection(`${p.system}/Processors`, 'ProcessorCollection', 'Processors', cpus.map((i) => p.cpu(i)))));
  app.get(`${p.system}/Processors/:id`, (c) => {
    const i = cpus.find((n) => `CPU${n}` === c.req.param('id'));
    if (i === undefined) throw notFound(c.req.path);
    return json(c, doc.processor(facts, i));
  });
  app.get(`${p.system}/Memory`, (c) => json(c, doc.collection(`${p.system}/Memory`, 'MemoryCollection', 'Memory', [p.dimm])));
  app.get(p.dimm, (c) => json(c, doc.memory(facts)));
  app.get(`${p.system}/SimpleStorage`, (c) => json(c, doc.collection(`${p.system}/SimpleStorage`, 'SimpleStorageCollection', 'Simple Storage', [p.simpleStorage])));
  app.get(p.simpleStorage, (c) => json(c, doc.simpleStorage(facts)));
  app.get(`${p.system}/Storage`, (c) => json(c, doc.collection(`${p.system}/Storage`, 'StorageCollection', 'Storage', [p.storage])));
  app.get(p.storage, (c) => json(c, doc.storage(facts)));
  app.get(p.drive, (c) => json(c, doc.drive(facts)));

  // The manager and its virtual CD
  app.get(p.manager, (c) => json(c, doc.manager(facts)));
  app.get(`${p.manager}/VirtualMedia`, (c) => json(c, doc.collection(`${p.manager}/VirtualMedia`, 'VirtualMediaCollection', 'Virtual Media', [p.cd])));
  app.get(p.cd, (c) => json(c, doc.virtualMedia(facts, settings.get())));
  app.post(`${p.cd}/Actions/VirtualMedia.InsertMedia`, async (c) => {
    const b = await body(c);
    const action = 'VirtualMedia.InsertMedia';
    if (!own(b, 'Image')) throw missingParameter('Image', action);
    let url: URL;
    try {
      url = new URL(String(b.Image));
    } catch {
      throw parameterFormat(b.Image, 'Image', action);
    }
    if (typeof b.Image !== 'string' || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw parameterFormat(b.Image, 'Image', action);
    if (own(b, 'TransferMethod') && b.TransferMethod !== 'Stream') throw parameterNotInList(b.TransferMethod, 'TransferMethod', action);
    if (own(b, 'TransferProtocolType') && !['HTTP', 'HTTPS'].includes(String(b.TransferProtocolType))) {
      throw parameterNotInList(b.TransferProtocolType, 'TransferProtocolType', action);
    }
    if (settings.get().virtualMedia) throw resourceInUse('a medium is already inserted; eject it first');
    // UserName/Password for the image server are accepted and not kept: the lab's images are open.
    await machine.insertMedia(b.Image, b.WriteProtected !== false);
    return c.body(null, 204);
  });
  app.post(`${p.cd}/Actions/VirtualMedia.EjectMedia`, async (c) => {
    await body(c);
    await machine.ejectMedia();
    return c.body(null, 204);
  });

  app.get(p.chassis, async (c) => json(c, doc.chassis(facts, await machine.power())));

  // Known resources answer other methods with 405, anything else is missing.
  const known = [`/redfish`, ROOT, `${ROOT}/SessionService`, `${ROOT}/Systems`, `${ROOT}/Managers`, `${ROOT}/Chassis`, p.system, p.bios,
    p.manager, p.cd, p.chassis, p.reset, `${p.cd}/Actions/VirtualMedia.InsertMedia`, `${p.cd}/Actions/VirtualMedia.EjectMedia`];
  app.notFound((c) => {
    const path = c.req.path.replace(/\/+$/, '') || '/';
    return errorResponse(known.includes(path) ? notAllowed(c.req.method, path) : notFound(c.req.path));
  });
  return app;
}
