// /v1/drivers on every store: shapes and values compared with the recorded Ironic responses, version gates of
// the interface fields, `type`/`detail`/`fields`, properties, and which drivers count as active.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { expectIronicError, recordedFault } from '../support/api-assertions.js';
import { FIXTURE_VERSION, keysOf, fixture } from '../support/fixtures.js';

const at = (v: string) => ({ 'X-OpenStack-Ironic-API-Version': v });
const AT_FIXTURE = at(FIXTURE_VERSION);
/** Hardware types Anvil enables beyond the recorded Ironic (which ran without redfish). */
const ANVIL_TYPES = ['redfish'];
const recordedOnly = (list: { name: string }[]) => list.filter((d) => !ANVIL_TYPES.includes(d.name));
const byName = (list: { name: string; [k: string]: unknown }[]) => Object.fromEntries(list.map((d) => [d.name, d]));

/** Interfaces Anvil enables beyond the recorded Ironic 21.4 (which predates in-band inspection without inspector). */
const ANVIL_ADDED: Readonly<Record<string, string>> = { enabled_inspect_interfaces: 'agent', enabled_rescue_interfaces: 'agent' };
// The recorded Ironic ran with its default enabled_console_interfaces (no-console only); Anvil also lists
// ipmitool-socat for ipmi (the default stays no-console), which console.test.ts checks.
const IPMI_CONSOLE = 'ipmitool-socat';

/** default_* values exactly, enabled_* lists as sets (Ironic builds them from a set, so their order is arbitrary). */
function comparable(driver: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(driver)) {
    if (k === 'hosts' || k === 'links' || k === 'properties') continue;
    out[k] = Array.isArray(v) ? [...v].filter((i) => i !== ANVIL_ADDED[k] && i !== IPMI_CONSOLE).sort() : v;
  }
  return out;
}

describe.each(DIALECTS)('drivers API (%s)', (dialect) => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi(dialect);
  });
  afterAll(() => api.close());

  it('lists the active hardware types like the recording (45)', async () => {
    const res = await api.get('/v1/drivers', AT_FIXTURE);
    const recorded = fixture('45-get-drivers').response.body.drivers;
    expect(recordedOnly(res.body.drivers).map((d) => d.name)).toEqual(recorded.map((d: { name: string }) => d.name));
    expect(res.body.drivers.map((d: { name: string }) => d.name)).toContain('redfish');
    for (const d of res.body.drivers) {
      expect(Object.keys(d)).toEqual(Object.keys(recorded[0]));
      expect(d.hosts).toEqual(['test-conductor']);
      expect(d.type).toBe('dynamic');
      expect(d.properties).toEqual([
        { href: `http://127.0.0.1:6385/v1/drivers/${d.name}/properties`, rel: 'self' },
        { href: `http://127.0.0.1:6385/drivers/${d.name}/properties`, rel: 'bookmark' }]);
    }
  });

  it('gives the recorded interfaces in detail lists (46) and single drivers (47, 49)', async () => {
    const detail = byName((await api.get('/v1/drivers?detail=True', AT_FIXTURE)).body.drivers);
    const recordedDetail = byName(fixture('46-get-drivers-detail').response.body.drivers);
    for (const name of Object.keys(recordedDetail)) {
      for (const [k, added] of Object.entries(ANVIL_ADDED)) expect(detail[name]![k]).toContain(added);
      expect(keysOf(detail[name])).toEqual(keysOf(recordedDetail[name]));
      expect(comparable(detail[name]!)).toEqual(comparable(recordedDetail[name]!));
    }
    for (const [recording, name] of [['47-get-driver-ipmi', 'ipmi'], ['49-get-driver-fake-hardware', 'fake-hardware']] as const) {
      const one = await api.get(`/v1/drivers/${name}`, AT_FIXTURE);
      expect(keysOf(one.body)).toEqual(keysOf(fixture(recording).response.body));
      expect(comparable(one.body)).toEqual(comparable(fixture(recording).response.body));
      expect(one.body).toEqual(detail[name]);
    }
  });

  it('gates interface fields by version: storage 1.33, rescue 1.38, bios 1.40, firmware 1.86', async () => {
    const keys = async (v: string) => keysOf((await api.get('/v1/drivers/ipmi', at(v))).body);
    expect(await keys('1.13')).toEqual(['hosts', 'links', 'name']);
    expect(await keys('1.29')).toEqual(['hosts', 'links', 'name', 'properties']);
    expect(await keys('1.30')).toContain('default_network_interface');
    expect(await keys('1.32')).not.toContain('default_storage_interface');
    expect(await keys('1.33')).toContain('enabled_storage_interfaces');
    expect(await keys('1.37')).not.toContain('default_rescue_interface');
    expect(await keys('1.38')).toContain('default_rescue_interface');
    expect(await keys('1.39')).not.toContain('default_bios_interface');
    expect(await keys('1.40')).toContain('default_bios_interface');
    expect(await keys('1.85')).not.toContain('default_firmware_interface');
    const latest = (await api.get('/v1/drivers/ipmi', at('1.89'))).body;
    expect(latest).toMatchObject({ default_firmware_interface: 'no-firmware', enabled_firmware_interfaces: ['no-firmware'] });
  });

  it('answers type, detail and fields like Ironic', async () => {
    expect((await api.get('/v1/drivers?type=classic')).body).toEqual({ drivers: [] });
    expect((await api.get('/v1/drivers?type=dynamic')).body.drivers).toHaveLength(4);
    expectIronicError(await api.get('/v1/drivers?type=modern'), 400, '"type" filter must be one of "classic" or "dynamic", if specified.');
    expectIronicError(await api.get('/v1/drivers?type=dynamic', at('1.29')), 406);
    expectIronicError(await api.get('/v1/drivers?detail=true', at('1.29')), 406);
    const some = await api.get('/v1/drivers?fields=name,default_boot_interface', at('1.77'));
    expect(byName(some.body.drivers).ipmi).toEqual({ name: 'ipmi', default_boot_interface: 'ipxe', links: byName(some.body.drivers).ipmi!.links });
    expect(keysOf((await api.get('/v1/drivers/ipmi?fields=hosts', at('1.77'))).body)).toEqual(['hosts', 'links']);
    expectIronicError(await api.get('/v1/drivers?fields=name', at('1.76')), 406);
    expectIronicError(await api.get('/v1/drivers/ipmi?fields=colour'), 400, 'Field colour is not a valid field.');
    expectIronicError(await api.get('/v1/drivers?fields=name&detail=true'), 400);
  });

  it('serves driver properties (48) and 404s unknown drivers (50)', async () => {
    const props = await api.get('/v1/drivers/ipmi/properties', AT_FIXTURE);
    expect(props.status).toBe(200);
    const recorded = fixture('48-get-driver-ipmi-properties').response.body as Record<string, string>;
    for (const key of Object.keys(recorded)) expect(typeof props.body[key], key).toBe('string');
    expect(props.body.ipmi_address).toMatch(/Required\./);
    expect((await api.get('/v1/drivers/fake-hardware/properties')).body).toEqual(expect.objectContaining({ deploy_kernel: expect.any(String) }));
    const unknown = fixture('50-get-driver-unknown');
    const res = await api.get(unknown.request.path, AT_FIXTURE);
    expectIronicError(res, unknown.response.status, recordedFault(unknown));
    expectIronicError(await api.get('/v1/drivers/no-such-driver/properties'), 404, recordedFault(unknown));
  });

  it('offers the redfish hardware type with Ironic\'s interfaces and driver_info keys', async () => {
    const one = (await api.get('/v1/drivers/redfish', at('1.89'))).body;
    expect(one).toMatchObject({
      name: 'redfish', default_power_interface: 'redfish', enabled_power_interfaces: ['redfish'],
      default_management_interface: 'redfish', default_boot_interface: 'ipxe', default_bios_interface: 'redfish',
      default_inspect_interface: 'no-inspect', default_deploy_interface: 'direct',
    });
    expect(one.enabled_management_interfaces).toEqual(expect.arrayContaining(['redfish', 'noop']));
    expect(one.enabled_inspect_interfaces).toEqual(expect.arrayContaining(['redfish', 'agent', 'no-inspect']));
    expect(one.enabled_boot_interfaces).toEqual(expect.arrayContaining(['ipxe', 'pxe', 'redfish-virtual-media']));
    const props = (await api.get('/v1/drivers/redfish/properties', at('1.89'))).body as Record<string, string>;
    for (const key of ['redfish_address', 'redfish_system_id', 'redfish_username', 'redfish_password', 'redfish_verify_ca', 'redfish_auth_type',
      'deploy_kernel', 'deploy_ramdisk']) expect(typeof props[key], key).toBe('string');
    expect(props.redfish_address).toMatch(/Required\./);
    expect(Object.keys(props).some((k) => k.startsWith('ipmi_'))).toBe(false);
  });

  it('lists only drivers served by an alive conductor and enabled in the configuration', async () => {
    const only = await startTestApi(dialect, { enabledHardwareTypes: 'ipmi' });
    try {
      expect((await only.get('/v1/drivers')).body.drivers.map((d: { name: string }) => d.name)).toEqual(['ipmi']);
      expectIronicError(await only.get('/v1/drivers/fake-hardware'), 404);
      const me = (await only.tables.conductors.findBy('hostname', 'test-conductor'))!;
      await only.tables.conductors.update(me.id, { online: false });
      expect((await only.get('/v1/drivers')).body).toEqual({ drivers: [] });
      expectIronicError(await only.get('/v1/drivers/ipmi'), 404);
    } finally {
      await only.close();
    }
  });
});
