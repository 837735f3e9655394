// Management sub-resources on every store: indicators (1.63), boot mode and secure boot changes (1.76,
// background work recorded on the node or in last_error) and virtual media (1.89): shapes, version gates,
// refusals in Ironic's format, unsupported management interfaces and the node lock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { expectIronicError, expectRefused } from '../support/api-assertions.js';
import { at, createNode, reserveNode } from '../support/nodes.js';


describe.each(DIALECTS)('node management extras (%s)', (dialect) => {
  let api: TestApi;
  beforeAll(async () => { api = await startTestApi(dialect); });
  afterAll(() => api.close());

  const newNode = (body: Record<string, unknown> = {}) => createNode(api, body);
  const lock = (uuid: string, holder: string | null = 'other-host') => reserveNode(api, uuid, holder);
  const put = (path: string, body: unknown, h?: Record<string, string>) => api.request('PUT', path, body, h);
  const show = async (uuid: string) => (await api.get(`/v1/nodes/${uuid}`)).body;

  describe('indicators', () => {
    it('lists, reads and sets the fake LEDs', async () => {
      const node = await newNode({ name: 'ledbox' });
      const list = await api.get('/v1/nodes/ledbox/management/indicators');
      expect(list.status).toBe(200);
      const system = list.body.indicators.find((i: { name: string }) => i.name === 'led@system');
      expect(system).toEqual({ name: 'led@system', component: 'system', readonly: false, states: ['BLINKING', 'OFF', 'ON'], links: [
        { href: 'http://127.0.0.1:6385/v1/nodes/ledbox/management/indicators/led@system', rel: 'self' },
        { href: 'http://127.0.0.1:6385/nodes/ledbox/management/indicators/led@system', rel: 'bookmark' }] });
      expect(list.body.indicators.map((i: { name: string }) => i.name).sort()).toEqual(['led-0@chassis', 'led@system']);
      expect((await api.get(`/v1/nodes/${node}/management/indicators/led@system`)).body).toEqual({ state: 'ON' });
      expect((await put(`/v1/nodes/${node}/management/indicators/led@system`, { state: 'BLINKING' })).status).toBe(204);
      expect((await api.get(`/v1/nodes/${node}/management/indicators/led@system`)).body).toEqual({ state: 'BLINKING' });
      expect((await put(`/v1/nodes/${node}/management/indicators/led@system`, { state: 'off' })).status).toBe(204);
      expect((await api.get(`/v1/nodes/${node}/management/indicators/led@system`)).body).toEqual({ state: 'OFF' });
    });

    it('refuses bad names, states and read-only LEDs; gates on 1.63; takes the lock to set', async () => {
      const node = await newNode();
      const path = (ind: string) => `/v1/nodes/${node}/management/indicators/${ind}`;
      expectIronicError(await api.get(path('led')), 400, 'Malformed indicator name "led"');
      expectIronicError(await api.get(path('nope@system')), 400);
      expectIronicError(await put(path('led-0@chassis'), { state: 'OFF' }), 400, /read-only/);
      for (const body of [{ state: 'PURPLE' }, { state: 'UNKNOWN' }, {}, { state: 'ON', extra: 1 }]) {
        expectIronicError(await put(path('led@system'), body), 400);
      }
      expectIronicError(await api.get(`/v1/nodes/${node}/management/indicators`, at('1.62')), 404);
      expectIronicError(await put(path('led@system'), { state: 'ON' }, at('1.62')), 404);
      await lock(node);
      expectIronicError(await put(path('led@system'), { state: 'OFF' }), 409);
      expect((await api.get(path('led@system'))).status).toBe(200);
      await lock(node, null);
      const ipmi = await newNode({ driver: 'ipmi' });
      expectIronicError(await api.get(`/v1/nodes/${ipmi}/management/indicators`), 400, /does not support indicators/);
    });
  });

  describe('boot mode and secure boot', () => {
    it('changes both in the background and records them on the node', async () => {
      const node = await newNode();
      const res = await put(`/v1/nodes/${node}/states/boot_mode`, { target: 'bios' });
      expect(res.status).toBe(202);
      expect(res.headers.get('location')).toBe(`http://127.0.0.1:6385/v1/nodes/${node}/states`);
      expect(res.text).toBe('');
      await api.work.idle();
      expect(await show(node)).toMatchObject({ boot_mode: 'bios', reservation: null, last_error: null });
      expect((await put(`/v1/nodes/${node}/states/secure_boot`, { target: true })).status).toBe(202);
      await api.work.idle();
      expect((await api.get(`/v1/nodes/${node}/states`)).body).toMatchObject({ boot_mode: 'bios', secure_boot: true });
      expect((await put(`/v1/nodes/${node}/states/secure_boot`, { target: 'false' })).status).toBe(202);
      await api.work.idle();
      expect((await show(node)).secure_boot).toBe(false);
    });

    it('records a driver failure in last_error', async () => {
      const node = await newNode({ driver_info: { fake_fail: 'management' } });
      expect((await put(`/v1/nodes/${node}/states/boot_mode`, { target: 'uefi' })).status).toBe(202);
      await api.work.idle();
      const after = await show(node);
      expect(after.boot_mode).toBeNull();
      expect(after.last_error).toMatch(/Failed changing node .* boot mode to uefi/);
      expect(after.reservation).toBeNull();
    });

    it('refuses bad targets, old versions, busy nodes and transitional states', async () => {
      const node = await newNode();
      for (const body of [{ target: 'legacy' }, {}, { target: 'uefi', extra: 1 }]) {
        await expectRefused(api, () => put(`/v1/nodes/${node}/states/boot_mode`, body), 400);
      }
      for (const body of [{ target: 'maybe' }, { target: null }, { target: 3 }]) {
        await expectRefused(api, () => put(`/v1/nodes/${node}/states/secure_boot`, body), 400);
      }
      await expectRefused(api, () => put(`/v1/nodes/${node}/states/boot_mode`, { target: 'uefi' }, at('1.75')), 404);
      await expectRefused(api, () => put(`/v1/nodes/${node}/states/secure_boot`, { target: true }, at('1.75')), 404);
      await lock(node);
      await expectRefused(api, () => put(`/v1/nodes/${node}/states/boot_mode`, { target: 'uefi' }), 409);
      await lock(node, null);
      const rec = (await api.tables.nodes.findBy('uuid', node))!;
      await api.tables.nodes.update(rec.id, { provisionState: 'cleaning', targetProvisionState: 'available' });
      await expectRefused(api, () => put(`/v1/nodes/${node}/states/boot_mode`, { target: 'uefi' }), 409, /transitioning/);
    });
  });

  describe('virtual media', () => {
    const vmedia = async (uuid: string) => (await api.tables.nodes.findBy('uuid', uuid))!.driverInternalInfo.vmedia as Record<string, unknown> | undefined;

    it('attaches and detaches on the fake management interface', async () => {
      const node = await newNode();
      const attach = await api.post(`/v1/nodes/${node}/vmedia`, { device_type: 'cdrom', image_url: 'https://images.example/boot.iso' });
      expect(attach.status).toBe(204);
      expect(attach.text).toBe('');
      await api.work.idle();
      expect(await vmedia(node)).toEqual({ cdrom: { image_url: 'https://images.example/boot.iso', image_download_source: 'local' } });
      expect((await api.post(`/v1/nodes/${node}/vmedia`, { device_type: 'disk', image_url: 'http://x/d.img', image_download_source: 'http' })).status).toBe(204);
      await api.work.idle();
      expect(Object.keys((await vmedia(node))!).sort()).toEqual(['cdrom', 'disk']);
      expect((await api.del(`/v1/nodes/${node}/vmedia?device_types=cdrom`)).status).toBe(204);
      await api.work.idle();
      expect(Object.keys((await vmedia(node))!)).toEqual(['disk']);
      expect((await api.del(`/v1/nodes/${node}/vmedia`)).status).toBe(204);
      await api.work.idle();
      expect(await vmedia(node)).toEqual({});
      expect((await show(node)).reservation).toBeNull();
    });

    it('refuses bad input, unsupported interfaces, old versions, listing and busy nodes', async () => {
      const node = await newNode();
      const bad = [{ device_type: 'usb', image_url: 'http://x/a.iso' }, { device_type: 'cdrom', image_url: 'nfs://x/a.iso' },
        { device_type: 'cdrom' }, { device_type: 'cdrom', image_url: 'http://x/a.iso', image_download_source: 'ftp' },
        { device_type: 'cdrom', image_url: 'http://x/a.iso', more: 1 }];
      for (const body of bad) await expectRefused(api, () => api.post(`/v1/nodes/${node}/vmedia`, body), 400);
      await expectRefused(api, () => api.del(`/v1/nodes/${node}/vmedia?device_types=tape`), 400);
      const ipmi = await newNode({ driver: 'ipmi' });
      await expectRefused(api, () => api.post(`/v1/nodes/${ipmi}/vmedia`, { device_type: 'cdrom', image_url: 'http://x/a.iso' }), 400,
        /does not support virtual media/);
      await expectRefused(api, () => api.post(`/v1/nodes/${node}/vmedia`, { device_type: 'cdrom', image_url: 'http://x/a.iso' }, at('1.88')), 404);
      expectIronicError(await api.del(`/v1/nodes/${node}/vmedia`, at('1.88')), 404);
      expectIronicError(await api.get(`/v1/nodes/${node}/vmedia`), 404);
      await lock(node);
      await expectRefused(api, () => api.post(`/v1/nodes/${node}/vmedia`, { device_type: 'cdrom', image_url: 'http://x/a.iso' }), 409);
      await lock(node, null);
    });

    it('records a failed attach in last_error', async () => {
      const node = await newNode({ driver_info: { fake_fail: 'management' } });
      expect((await api.post(`/v1/nodes/${node}/vmedia`, { device_type: 'floppy', image_url: 'http://x/f.img' })).status).toBe(204);
      await api.work.idle();
      const after = await show(node);
      expect(after.last_error).toMatch(/Attaching virtual media floppy on node .* failed/);
      expect(await vmedia(node)).toBeUndefined();
    });
  });
});
