// Power, maintenance, boot device, NMI, history, traits, VIFs and BIOS settings through the program
// against the scripted fake API: the requests each command line sends and what it prints.
import { describe, expect, it } from 'vitest';
import { FakeApi, ironicError } from '../../../../test/cli/fake-api.js';
import { runWith } from '../../../../test/cli/run-cli.js';

const NODE = '/v1/nodes/n1';
const sentBy = (api: FakeApi): Array<[string, string, unknown]> => api.requests.map((r) => [r.method, r.path, r.body]);

describe('node power / reboot', () => {
  const accepting = (): FakeApi => new FakeApi().on('PUT', `${NODE}/states/power`, { status: 202 });

  it('maps on/off/reboot and --soft to the API targets, with --power-timeout as "timeout"', async () => {
    const cases: Array<[string[], Record<string, unknown>]> = [
      [['power', 'on', 'n1'], { target: 'power on' }],
      [['power', 'off', 'n1'], { target: 'power off' }],
      [['power', 'off', 'n1', '--soft'], { target: 'soft power off' }],
      [['reboot', 'n1'], { target: 'rebooting' }],
      [['reboot', 'n1', '--soft', '--power-timeout', '30'], { target: 'soft rebooting', timeout: 30 }],
      [['power', 'on', 'n1', '--power-timeout', '5'], { target: 'power on', timeout: 5 }],
    ];
    for (const [args, body] of cases) {
      const api = accepting();
      const run = await runWith(api, ['node', ...args]);
      expect({ args, code: run.code, out: run.out, sent: sentBy(api) }).toEqual({
        args, code: 0, out: '', sent: [['PUT', `${NODE}/states/power`, body]],
      });
    }
  });

  it('checks --power-timeout like the stock client, before any request', async () => {
    let api = accepting();
    let run = await runWith(api, ['node', 'power', 'on', 'n1', '--power-timeout', '0']);
    expect(run).toMatchObject({ code: 1, err: "'timeout' option for setting power state must have positive integer value (> 0)\n" });
    run = await runWith(api, ['node', 'reboot', 'n1', '--power-timeout', 'x']);
    expect(run).toMatchObject({ code: 2, err: "error: argument --power-timeout: invalid int value: 'x'\n" });
    expect(api.requests).toEqual([]);
    api = accepting();
    run = await runWith(api, ['node', 'power', 'on', 'n1', '--soft']);
    expect(run.code).toBe(2);
    expect(api.requests).toEqual([]);
  });

  it('--wait polls until target_power_state clears and checks the result', async () => {
    const states = [
      { power_state: 'power on', target_power_state: 'power off', last_error: null },
      { power_state: 'power off', target_power_state: null, last_error: null },
    ];
    let i = 0;
    const api = accepting().on('GET', NODE, () => ({ status: 200, body: states[Math.min(i++, 1)] }));
    const run = await runWith(api, ['node', 'power', 'off', 'n1', '--wait', '60'], { env: { ANVIL_CLI_POLL_INTERVAL_MS: '10' } });
    expect(run).toMatchObject({ code: 0, out: '' });
    expect(run.err).toBe('Waiting for node n1 to reach power state power off\n' +
      'Node n1 power state: power on (target: power off)\nNode n1 power state: power off\n');
    expect(run.sleeps).toEqual([10]);
  });

  it('--wait on reboot expects power on, and reports last_error on failure', async () => {
    const api = accepting().on('GET', NODE, {
      status: 200, body: { power_state: 'power off', target_power_state: null, last_error: 'BMC unreachable' },
    });
    const run = await runWith(api, ['node', 'reboot', 'n1', '--wait']);
    expect(run.code).toBe(1);
    expect(run.err).toContain("Node n1 failed to reach power state power on. It's in power state power off, and has error: BMC unreachable\n");
  });

  it('without --wait returns after the 202 without reading the node', async () => {
    const api = accepting();
    expect((await runWith(api, ['node', 'power', 'on', 'n1'])).code).toBe(0);
    expect(api.requests).toHaveLength(1);
  });
});

describe('node maintenance', () => {
  it('set sends the reason (null when absent); unset deletes', async () => {
    const api = new FakeApi().on('PUT', `${NODE}/maintenance`, { status: 202 }).on('DELETE', `${NODE}/maintenance`, { status: 202 });
    expect((await runWith(api, ['node', 'maintenance', 'set', 'n1', '--reason', 'disk swap'])).code).toBe(0);
    expect((await runWith(api, ['node', 'maintenance', 'set', 'n1'])).code).toBe(0);
    expect((await runWith(api, ['node', 'maintenance', 'unset', 'n1'])).code).toBe(0);
    expect(sentBy(api)).toEqual([
      ['PUT', `${NODE}/maintenance`, { reason: 'disk swap' }],
      ['PUT', `${NODE}/maintenance`, { reason: null }],
      ['DELETE', `${NODE}/maintenance`, undefined],
    ]);
  });

  it('reports an unknown node like the other commands', async () => {
    const api = new FakeApi().on('PUT', '/v1/nodes/nope/maintenance', ironicError(404, 'Node nope could not be found.'));
    expect(await runWith(api, ['node', 'maintenance', 'set', 'nope'])).toMatchObject({ code: 1, err: 'Node nope could not be found. (HTTP 404)\n' });
  });
});

describe('node boot device / inject nmi', () => {
  it('set sends the device and persistence; unknown devices fail locally', async () => {
    const api = new FakeApi().on('PUT', `${NODE}/management/boot_device`, { status: 204 });
    expect((await runWith(api, ['node', 'boot', 'device', 'set', 'n1', 'pxe', '--persistent'])).code).toBe(0);
    expect((await runWith(api, ['node', 'boot', 'device', 'set', 'n1', 'disk'])).code).toBe(0);
    const bad = await runWith(api, ['node', 'boot', 'device', 'set', 'n1', 'usb']);
    expect(bad).toMatchObject({
      code: 2,
      err: "error: argument <device>: invalid choice: 'usb' (choose from 'pxe', 'disk', 'cdrom', 'bios', 'safe', 'wanboot')\n",
    });
    expect(sentBy(api)).toEqual([
      ['PUT', `${NODE}/management/boot_device`, { boot_device: 'pxe', persistent: true }],
      ['PUT', `${NODE}/management/boot_device`, { boot_device: 'disk', persistent: false }],
    ]);
  });

  it('show prints boot_device/persistent, --supported the comma-joined list', async () => {
    const api = new FakeApi()
      .on('GET', `${NODE}/management/boot_device`, { status: 200, body: { boot_device: 'pxe', persistent: true } })
      .on('GET', `${NODE}/management/boot_device/supported`, { status: 200, body: { supported_boot_devices: ['pxe', 'disk'] } });
    expect((await runWith(api, ['node', 'boot', 'device', 'show', 'n1'])).out).toBe([
      '+-------------+-------+',
      '| Field       | Value |',
      '+-------------+-------+',
      '| boot_device | pxe   |',
      '| persistent  | True  |',
      '+-------------+-------+',
      '',
    ].join('\n'));
    expect((await runWith(api, ['node', 'boot', 'device', 'show', 'n1', '--supported', '-f', 'json'])).out).toBe(
      '{\n  "supported_boot_devices": "pxe, disk"\n}\n',
    );
  });

  it('inject nmi PUTs an empty object', async () => {
    const api = new FakeApi().on('PUT', `${NODE}/management/inject_nmi`, { status: 204 });
    expect(await runWith(api, ['node', 'inject', 'nmi', 'n1'])).toMatchObject({ code: 0, out: '' });
    expect(sentBy(api)).toEqual([['PUT', `${NODE}/management/inject_nmi`, {}]]);
  });
});

const EVENT = {
  uuid: 'c1b2a3d4-0000-4000-8000-000000000001', created_at: '2026-11-25T10:00:00+00:00', severity: 'ERROR',
  event: 'Failed to change power state', event_type: 'power', conductor: 'c1', user: null, links: [],
};

describe('node history', () => {
  it('list shows the stock columns; --long asks for detail', async () => {
    const api = new FakeApi()
      .on('GET', `${NODE}/history`, { status: 200, body: { history: [{ uuid: EVENT.uuid, created_at: EVENT.created_at, severity: 'ERROR', event: EVENT.event }] } })
      .on('GET', `${NODE}/history?detail=True`, { status: 200, body: { history: [EVENT] } });
    const short = await runWith(api, ['node', 'history', 'list', 'n1', '-f', 'csv']);
    expect(short.out).toBe('"UUID","Created At","Severity","Description of the event"\n' +
      `"${EVENT.uuid}","2026-11-25T10:00:00+00:00","ERROR","Failed to change power state"\n`);
    const long = await runWith(api, ['node', 'history', 'list', 'n1', '--long', '-f', 'csv']);
    expect(long.out.split('\n')[0]).toBe('"UUID","Created At","Severity","Event Origin Type","Description of the event","Conductor","User"');
    expect(long.out.split('\n')[1]).toBe(`"${EVENT.uuid}","2026-11-25T10:00:00+00:00","ERROR","power","Failed to change power state","c1",""`);
  });

  it('get shows one event without its links', async () => {
    const api = new FakeApi().on('GET', `${NODE}/history/${EVENT.uuid}`, { status: 200, body: EVENT });
    const run = await runWith(api, ['node', 'history', 'get', 'n1', EVENT.uuid, '-f', 'json']);
    expect(JSON.parse(run.out)).toEqual({ ...EVENT, links: undefined });
    expect(Object.keys(JSON.parse(run.out) as object)).toEqual(['conductor', 'created_at', 'event', 'event_type', 'severity', 'user', 'uuid']);
  });
});

describe('node traits', () => {
  it('trait list prints one trait per row', async () => {
    const api = new FakeApi().on('GET', `${NODE}/traits`, { status: 200, body: { traits: ['CUSTOM_A', 'HW_CPU_X86_VMX'] } });
    expect((await runWith(api, ['node', 'trait', 'list', 'n1', '-f', 'value'])).out).toBe('CUSTOM_A\nHW_CPU_X86_VMX\n');
  });

  it('add trait PUTs each trait, keeps going past failures and fails at the end', async () => {
    const api = new FakeApi()
      .on('PUT', `${NODE}/traits/bad`, ironicError(400, "Invalid trait 'bad'"))
      .on('PUT', /^\/v1\/nodes\/n1\/traits\/[A-Z_]+$/, { status: 204 });
    const run = await runWith(api, ['node', 'add', 'trait', 'n1', 'CUSTOM_A', 'bad', 'CUSTOM_B']);
    expect(run).toMatchObject({
      code: 1,
      out: 'Added trait CUSTOM_A\nAdded trait CUSTOM_B\n',
      err: "Failed to add trait bad: Invalid trait 'bad' (HTTP 400)\n",
    });
    expect(sentBy(api).map(([m, p, b]) => [m, p, b])).toEqual([
      ['PUT', `${NODE}/traits/CUSTOM_A`, undefined], ['PUT', `${NODE}/traits/bad`, undefined], ['PUT', `${NODE}/traits/CUSTOM_B`, undefined],
    ]);
  });

  it('remove trait deletes each, or all with --all; one of the two is required', async () => {
    const api = new FakeApi().on('DELETE', `${NODE}/traits/CUSTOM_A`, { status: 204 }).on('DELETE', `${NODE}/traits`, { status: 204 });
    expect(await runWith(api, ['node', 'remove', 'trait', 'n1', 'CUSTOM_A'])).toMatchObject({ code: 0, out: 'Removed trait CUSTOM_A\n' });
    expect(await runWith(api, ['node', 'remove', 'trait', 'n1', '--all'])).toMatchObject({ code: 0, out: '' });
    expect(await runWith(api, ['node', 'remove', 'trait', 'n1'])).toMatchObject({
      code: 2, err: 'error: one of the arguments --all <trait> is required\n',
    });
    expect((await runWith(api, ['node', 'remove', 'trait', 'n1', '--all', 'CUSTOM_A'])).code).toBe(2);
    expect(sentBy(api).map(([m, p]) => `${m} ${p}`)).toEqual([`DELETE ${NODE}/traits/CUSTOM_A`, `DELETE ${NODE}/traits`]);
  });
});

describe('node vif', () => {
  it('list, attach (with --port-uuid and --vif-info) and detach', async () => {
    const api = new FakeApi()
      .on('GET', `${NODE}/vifs`, { status: 200, body: { vifs: [{ id: 'vif-1' }, { id: 'vif-2' }] } })
      .on('POST', `${NODE}/vifs`, { status: 204 })
      .on('DELETE', `${NODE}/vifs/vif-1`, { status: 204 });
    expect((await runWith(api, ['node', 'vif', 'list', 'n1', '-f', 'csv'])).out).toBe('"ID"\n"vif-1"\n"vif-2"\n');
    const attach = await runWith(api, ['node', 'vif', 'attach', 'n1', 'vif-3', '--port-uuid', 'p-1', '--vif-info', 'mtu=9000']);
    expect(attach).toMatchObject({ code: 0, out: '' });
    expect((await runWith(api, ['node', 'vif', 'detach', 'n1', 'vif-1'])).code).toBe(0);
    expect(sentBy(api).slice(1)).toEqual([
      ['POST', `${NODE}/vifs`, { id: 'vif-3', mtu: 9000, port_uuid: 'p-1' }],
      ['DELETE', `${NODE}/vifs/vif-1`, undefined],
    ]);
  });

  it("refuses an 'id' key in --vif-info", async () => {
    const api = new FakeApi();
    expect(await runWith(api, ['node', 'vif', 'attach', 'n1', 'v', '--vif-info', 'id=x'])).toMatchObject({
      code: 1, err: "The attribute 'id' can't be specified in vif-info\n",
    });
    expect(api.requests).toEqual([]);
  });
});

describe('node bios setting', () => {
  const SETTING = { name: 'LogicalProc', value: 'Enabled', attribute_type: 'Enumeration', allowable_values: ['Enabled', 'Disabled'],
    lower_bound: null, min_length: null, max_length: null, read_only: false, reset_required: true, unique: false, upper_bound: null,
    links: [] };

  it('list: two labelled columns by default, all attributes with --long, chosen ones with --fields', async () => {
    const api = new FakeApi()
      .on('GET', `${NODE}/bios`, { status: 200, body: { bios: [{ name: 'LogicalProc', value: 'Enabled', links: [] }] } })
      .on('GET', `${NODE}/bios?detail=True`, { status: 200, body: { bios: [SETTING] } })
      .on('GET', `${NODE}/bios?fields=name,read_only`, { status: 200, body: { bios: [{ name: 'LogicalProc', read_only: false }] } });
    expect((await runWith(api, ['node', 'bios', 'setting', 'list', 'n1', '-f', 'csv'])).out).toBe(
      '"BIOS setting name","BIOS setting value"\n"LogicalProc","Enabled"\n',
    );
    const long = await runWith(api, ['node', 'bios', 'setting', 'list', 'n1', '--long', '-f', 'csv']);
    expect(long.out.split('\n')[0]).toBe('"Name","Value","Attribute Type","Allowable Values","Lower Bound","Minimum Length",' +
      '"Maximum Length","Read Only","Reset Required","Unique","Upper Bound"');
    const some = await runWith(api, ['node', 'bios', 'setting', 'list', 'n1', '--fields', 'name', 'read_only', '-f', 'csv']);
    expect(some.out).toBe('"Name","Read Only"\n"LogicalProc",False\n');
    expect((await runWith(api, ['node', 'bios', 'setting', 'list', 'n1', '--long', '--fields', 'name'])).code).toBe(2);
  });

  it('show unwraps the setting from the object keyed by its name', async () => {
    const api = new FakeApi().on('GET', `${NODE}/bios/LogicalProc`, { status: 200, body: { LogicalProc: SETTING } });
    const run = await runWith(api, ['node', 'bios', 'setting', 'show', 'n1', 'LogicalProc', '-f', 'value', '-c', 'name', '-c', 'value']);
    expect(run.out).toBe('LogicalProc\nEnabled\n');
  });
});
