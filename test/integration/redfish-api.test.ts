// `redfish` nodes through Anvil's API (in process, on every store) against a lab Redfish BMC: enrolment with
// the password masked, node validate, power and boot device through the conductor, BIOS settings from the
// Bios resource, out-of-band inspection recording properties and a port, and a wrong password reaching
// last_error without the password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRedfishConnections } from '../../src/drivers/redfish/redfish-client.js';
import { setRedfishTuning } from '../../src/drivers/redfish/redfish-system.js';
import type { RedfishBmc } from '../../src/lab/redfish/server.js';
import { waitFor } from '../support/agent-nodes.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { DIALECTS } from '../support/databases.js';
import { createNode } from '../support/nodes.js';
import { bmcSettings, machineIsOn, redfishFleet, redfishInfo } from '../support/redfish-nodes.js';

const fleet = redfishFleet();
let bmc: RedfishBmc;
const MAC = '52:54:00:aa:bb:02';

beforeAll(async () => {
  setRedfishTuning({ requestTimeoutS: 5, attempts: 2, initialBackoffMs: 50, maxBackoffMs: 100 });
  bmc = await fleet.start('api', { mac: MAC, diskBytes: 20 * 1024 ** 3 });
});
afterAll(async () => {
  await closeRedfishConnections();
  await fleet.stop();
  setRedfishTuning(undefined);
});

describe.each(DIALECTS)('redfish nodes through the API (%s)', (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(dialect);
  });
  afterAll(() => api.close());

  const settled = (uuid: string) => waitFor(`node ${uuid} settled`, async () => {
    const n = (await api.get(`/v1/nodes/${uuid}`)).body;
    return !n.target_power_state && !n.target_provision_state && !n.reservation ? n : null;
  });

  it('enrols with the password masked and validates driver_info without calling the BMC', async () => {
    const uuid = await createNode(api, { driver: 'redfish', driver_info: redfishInfo(bmc) });
    const shown = (await api.get(`/v1/nodes/${uuid}`)).body;
    expect(shown.driver_info.redfish_password).toBe('******');
    expect(JSON.stringify(shown)).not.toContain(bmc.password);
    expect(shown).toMatchObject({ power_interface: 'redfish', management_interface: 'redfish', bios_interface: 'redfish', boot_interface: 'ipxe' });
    const ok = (await api.get(`/v1/nodes/${uuid}/validate`)).body;
    for (const kind of ['power', 'management', 'bios']) expect(ok[kind], kind).toEqual({ result: true });

    const cases: [Record<string, unknown>, RegExp][] = [
      [{ redfish_address: undefined }, /redfish_address/],
      [{ redfish_address: 'ftp://bmc' }, /scheme must be https or http/],
      [{ redfish_verify_ca: '/no/such/ca.pem' }, /redfish_verify_ca/],
      [{ redfish_auth_type: 'kerberos' }, /redfish_auth_type/],
    ];
    for (const [change, reason] of cases) {
      const bad = await createNode(api, { driver: 'redfish', driver_info: redfishInfo(bmc, change) });
      const v = (await api.get(`/v1/nodes/${bad}/validate`)).body;
      expect(v.power.result).toBe(false);
      expect(v.power.reason).toMatch(reason);
      expect(v.management.reason).toMatch(reason);
    }
  });

  it('powers the machine and sets its boot device through the conductor', async () => {
    const uuid = await createNode(api, { driver: 'redfish', driver_info: redfishInfo(bmc) });
    expect((await api.request('PUT', `/v1/nodes/${uuid}/states/power`, { target: 'power on' })).status).toBe(202);
    expect((await settled(uuid)).power_state).toBe('power on');
    expect(await machineIsOn(bmc)).toBe(true);
    expect((await api.request('PUT', `/v1/nodes/${uuid}/management/boot_device`, { boot_device: 'pxe', persistent: true })).status).toBe(204);
    expect(bmcSettings(bmc)).toMatchObject({ bootTarget: 'Pxe', bootEnabled: 'Continuous' });
    expect((await api.get(`/v1/nodes/${uuid}/management/boot_device`)).body).toEqual({ boot_device: 'pxe', persistent: true });
    expect((await api.request('PUT', `/v1/nodes/${uuid}/states/power`, { target: 'power off' })).status).toBe(202);
    expect((await settled(uuid)).power_state).toBe('power off');
    expect(await machineIsOn(bmc)).toBe(false);
  });

  it('answers /bios from the Bios resource', async () => {
    const uuid = await createNode(api, { driver: 'redfish', driver_info: redfishInfo(bmc) });
    const bios = (await api.get(`/v1/nodes/${uuid}/bios`)).body;
    expect(bios.bios.map((s: { name: string }) => s.name)).toContain('BootMode');
    expect((await api.get(`/v1/nodes/${uuid}/bios/BootMode`)).body.BootMode.value).toBe('Uefi');
  });

  it('inspects out of band: properties and the NIC\'s port recorded', async () => {
    const uuid = await createNode(api, { driver: 'redfish', inspect_interface: 'redfish', driver_info: redfishInfo(bmc) });
    expect((await api.request('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'manage' })).status).toBe(202);
    await settled(uuid);
    expect((await api.request('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'inspect' })).status).toBe(202);
    const node = await settled(uuid);
    expect(node.provision_state, node.last_error).toBe('manageable');
    expect(node.properties).toMatchObject({ local_gb: 19, cpu_arch: 'x86_64' });
    expect(node.properties.capabilities).toContain('boot_mode:uefi');
    expect(node.properties.memory_mb).toBeGreaterThan(0);
    const ports = (await api.get(`/v1/nodes/${uuid}/ports`)).body.ports;
    expect(ports.map((p: { address: string }) => p.address)).toEqual([MAC]);
    await api.del(`/v1/ports/${ports[0].uuid}`);
  });

  it('records a wrong password in last_error without any password', async () => {
    const uuid = await createNode(api, { driver: 'redfish', driver_info: redfishInfo(bmc, { redfish_password: 'bad-pass-4471' }) });
    expect((await api.request('PUT', `/v1/nodes/${uuid}/states/power`, { target: 'power on' })).status).toBe(202);
    const node = await settled(uuid);
    expect(node.last_error).toMatch(/HTTP 401: There is no valid session.*\(check redfish_username and redfish_password\)/);
    expect(node.last_error).not.toContain('bad-pass-4471');
    expect(node.last_error).not.toContain(bmc.password);
  });
});
