import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FakeApi, ironicError } from '../../test/cli/fake-api.js';
import { runCli } from './program.js';

const FIXTURES = new URL('../../test/fixtures/ironic/', import.meta.url);

interface Transcript {
  argv: string[];
  output: string;
  exit: number;
}

/** A recorded run of the stock client: command line, combined output, exit status. */
function transcript(name: string): Transcript {
  const lines = readFileSync(new URL(`cli/${name}`, FIXTURES), 'utf8').split('\n');
  const exitLine = lines.findIndex((l) => l.startsWith('# exit status:'));
  return {
    argv: (lines[0] ?? '').split(' ').slice(1),
    output: lines.slice(1, exitLine).join('\n') + '\n',
    exit: Number(lines[exitLine]?.split(':')[1]),
  };
}

function recorded(name: string): { request: { body: unknown }; response: { body: unknown } } {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as { request: { body: unknown }; response: { body: unknown } };
}

async function run(api: FakeApi, argv: readonly string[], stdin = ''): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    readStdin: () => Promise.resolve(stdin),
    env: { ANVIL_CLI_RETRY_DELAY_MS: '0' },
    fetch: api.fetch,
  });
  return { out, err, code };
}

const NODE_UUID = '8036e817-f040-4b27-985f-bc8ebb8413c1';
const links = (coll: string, id: string): unknown[] => [
  { href: `http://127.0.0.1:6385/v1/${coll}/${id}`, rel: 'self' },
  { href: `http://127.0.0.1:6385/${coll}/${id}`, rel: 'bookmark' },
];

/** The node of the transcripts, as the API returns it (with the link arrays the client hides). */
function transcriptNode(): Record<string, unknown> {
  const shown = JSON.parse(transcript('04-node-show-json.txt').output) as Record<string, unknown>;
  return {
    ...shown,
    links: links('nodes', NODE_UUID),
    ports: links('nodes', `${NODE_UUID}/ports`),
    states: links('nodes', `${NODE_UUID}/states`),
    portgroups: links('nodes', `${NODE_UUID}/portgroups`),
    volume: links('nodes', `${NODE_UUID}/volume`),
  };
}

function listItem(node: Record<string, unknown>): Record<string, unknown> {
  const { uuid, instance_uuid, maintenance, power_state, provision_state, name } = node;
  return { uuid, instance_uuid, maintenance, power_state, provision_state, name, links: links('nodes', String(uuid)) };
}

const PORT = {
  uuid: '37be4d97-88ea-42ff-b423-d316bb02f3d9',
  created_at: '2026-11-25T11:45:59.430756+00:00',
  updated_at: null,
  address: '52:54:00:ab:cd:01',
  extra: {},
  internal_info: {},
  is_smartnic: false,
  local_link_connection: {},
  physical_network: null,
  pxe_enabled: true,
  node_uuid: NODE_UUID,
  links: links('ports', '37be4d97-88ea-42ff-b423-d316bb02f3d9'),
  portgroup_uuid: null,
};

describe('output identical to the stock client transcripts', () => {
  it('01 node create', async () => {
    const t = transcript('01-node-create.txt');
    const api = new FakeApi().on('POST', '/v1/nodes', { status: 201, body: { ...transcriptNode(), updated_at: null } });
    const r = await run(api, t.argv);
    expect(r.out).toBe(t.output);
    expect(r.code).toBe(t.exit);
    expect(api.requests[0]?.body).toEqual(recorded('10-create-node-ipmi.json').request.body);
    expect(api.requests[0]?.headers['x-openstack-ironic-api-version']).toBe('latest');
  });

  it('02 port create', async () => {
    const t = transcript('02-port-create.txt');
    const api = new FakeApi().on('POST', '/v1/ports', { status: 201, body: PORT });
    const r = await run(api, t.argv);
    expect(r.out).toBe(t.output);
    expect(api.requests[0]?.body).toEqual({ address: '52:54:00:ab:cd:01', node_uuid: NODE_UUID });
  });

  it.each([
    ['03-node-list.txt'],
    ['05-node-list-json.txt'],
  ])('%s', async (name) => {
    const t = transcript(name);
    const api = new FakeApi().on('GET', '/v1/nodes', { status: 200, body: { nodes: [listItem(transcriptNode())] } });
    const r = await run(api, t.argv);
    expect(r.out).toBe(t.output);
    expect(r.code).toBe(0);
  });

  it.each([['04-node-show-json.txt'], ['06-node-show.txt']])('%s', async (name) => {
    const t = transcript(name);
    const api = new FakeApi().on('GET', `/v1/nodes/${NODE_UUID}`, { status: 200, body: transcriptNode() });
    expect((await run(api, t.argv)).out).toBe(t.output);
  });

  it('07 port list', async () => {
    const t = transcript('07-port-list.txt');
    const { uuid, address, links: l } = PORT;
    const api = new FakeApi().on('GET', '/v1/ports', { status: 200, body: { ports: [{ uuid, address, links: l }] } });
    expect((await run(api, t.argv)).out).toBe(t.output);
  });

  it('08 port create duplicate: retried, then reported on stderr', async () => {
    const t = transcript('08-port-create-duplicate.txt');
    const api = new FakeApi().on('POST', '/v1/ports', ironicError(409, 'A port with MAC address 52:54:00:ab:cd:01 already exists.'));
    const r = await run(api, t.argv);
    expect(r.err).toBe(t.output);
    expect(r.out).toBe('');
    expect(r.code).toBe(t.exit);
    expect(api.requests).toHaveLength(6);
  });

  it('09 node show unknown', async () => {
    const t = transcript('09-node-show-unknown.txt');
    const api = new FakeApi().on('GET', /^\/v1\/nodes\//, (req) =>
      ironicError(404, `Node ${req.path.split('/')[3] ?? ''} could not be found.`),
    );
    const r = await run(api, t.argv);
    expect(r.err).toBe(t.output);
    expect(r.code).toBe(t.exit);
  });

  it('10 driver list', async () => {
    const t = transcript('10-driver-list.txt');
    const api = new FakeApi().on('GET', '/v1/drivers', { status: 200, body: recorded('45-get-drivers.json').response.body });
    expect((await run(api, t.argv)).out).toBe(t.output);
  });

  it('11 node validate', async () => {
    const t = transcript('11-node-validate.txt');
    const unsupported = (kind: string): unknown => ({
      result: false,
      reason: `Driver ipmi does not support ${kind} (disabled or not implemented).`,
    });
    const body = {
      boot: { result: true },
      deploy: {
        result: false,
        reason: `Node ${NODE_UUID} failed to validate deploy image info. Some parameters were missing. Missing are: ['instance_info.image_source']`,
      },
      management: { result: true },
      network: { result: true },
      power: { result: true },
      bios: unsupported('bios'),
      console: unsupported('console'),
      inspect: unsupported('inspect'),
      raid: unsupported('raid'),
      rescue: unsupported('rescue'),
      storage: { result: true },
    };
    const api = new FakeApi().on('GET', `/v1/nodes/${NODE_UUID}/validate`, { status: 200, body });
    expect((await run(api, t.argv)).out).toBe(t.output);
  });

  it('13 node delete', async () => {
    const t = transcript('13-node-delete.txt');
    const api = new FakeApi().on('DELETE', `/v1/nodes/${NODE_UUID}`, { status: 204 });
    const r = await run(api, t.argv);
    expect(r.out).toBe(t.output);
    expect(r.code).toBe(0);
  });
});

describe('requests the commands send', () => {
  const ok = { status: 200, body: transcriptNode() };

  it('node set sends add ops in the stock client order and prints nothing', async () => {
    const api = new FakeApi().on('PATCH', '/v1/nodes/n1', ok);
    const r = await run(api, [
      'node', 'set', 'n1', '--name', 'web-1', '--driver-info', 'ipmi_port=623', '--property', 'capabilities=boot_mode:uefi',
      '--instance-info', 'image_source=http://x/img.qcow2', '--extra', 'rack={"row": 3}', '--deploy-interface', 'direct',
      '--reset-power-interface', '--no-automated-clean',
    ]);
    expect(r).toMatchObject({ out: '', err: '', code: 0 });
    expect(api.requests[0]?.body).toEqual([
      { op: 'add', path: '/name', value: 'web-1' },
      { op: 'add', path: '/automated_clean', value: 'False' },
      { op: 'add', path: '/deploy_interface', value: 'direct' },
      { op: 'remove', path: '/power_interface' },
      { op: 'add', path: '/properties/capabilities', value: 'boot_mode:uefi' },
      { op: 'add', path: '/extra/rack', value: { row: 3 } },
      { op: 'add', path: '/driver_info/ipmi_port', value: 623 },
      { op: 'add', path: '/instance_info/image_source', value: 'http://x/img.qcow2' },
    ]);
  });

  it('node set --driver --reset-interfaces adds the query flag', async () => {
    const api = new FakeApi().on('PATCH', '/v1/nodes/n1?reset_interfaces=True', ok);
    expect((await run(api, ['node', 'set', 'n1', '--driver', 'redfish', '--reset-interfaces'])).code).toBe(0);
    expect((await run(new FakeApi(), ['node', 'set', 'n1', '--reset-interfaces'])).err).toBe(
      '--reset-interfaces can only be specified with --driver\n',
    );
  });

  it('node set --network-data reads stdin', async () => {
    const api = new FakeApi().on('PATCH', '/v1/nodes/n1', ok);
    await run(api, ['node', 'set', 'n1', '--network-data', '-'], '{"links": []}');
    expect(api.requests[0]?.body).toEqual([{ op: 'add', path: '/network_data', value: { links: [] } }]);
  });

  it('node unset sends remove ops; nothing to do only warns', async () => {
    const api = new FakeApi().on('PATCH', '/v1/nodes/n1', ok);
    await run(api, ['node', 'unset', 'n1', '--name', '--driver-info', 'ipmi_password', '--boot-interface', '--description']);
    expect(api.requests[0]?.body).toEqual([
      { op: 'remove', path: '/name' },
      { op: 'remove', path: '/boot_interface' },
      { op: 'remove', path: '/description' },
      { op: 'remove', path: '/driver_info/ipmi_password' },
    ]);
    const idle = await run(new FakeApi(), ['node', 'unset', 'n1']);
    expect(idle).toEqual({ out: '', err: 'Please specify what to unset.\n', code: 0 });
  });

  it('node list passes filters and follows next links', async () => {
    const a = listItem({ ...transcriptNode(), uuid: 'aaaa', name: 'a' });
    const b = listItem({ ...transcriptNode(), uuid: 'bbbb', name: 'b' });
    const api = new FakeApi()
      .on('GET', '/v1/nodes?associated=False&maintenance=False&provision_state=deploy%20failed&driver=ipmi', {
        status: 200,
        body: { nodes: [a], next: 'http://elsewhere:6385/v1/nodes?limit=1&marker=aaaa&driver=ipmi' },
      })
      .on('GET', '/v1/nodes?limit=1&marker=aaaa&driver=ipmi', { status: 200, body: { nodes: [b] } });
    const r = await run(api, [
      'node', 'list', '--unassociated', '--no-maintenance', '--provision-state', 'deploy failed', '--driver', 'ipmi',
      '-f', 'value', '-c', 'Name', '--sort', 'name:desc',
    ]);
    expect(r.out).toBe('b\na\n');
  });

  it('node list --limit stops after that many items', async () => {
    const items = ['1', '2', '3'].map((u) => listItem({ ...transcriptNode(), uuid: u }));
    const api = new FakeApi().on('GET', '/v1/nodes?limit=2', {
      status: 200,
      body: { nodes: items, next: 'http://h/v1/nodes?limit=2&marker=3' },
    });
    expect((await run(api, ['node', 'list', '--limit', '2', '-f', 'value', '-c', 'UUID'])).out).toBe('1\n2\n');
    expect(api.requests).toHaveLength(1);
  });

  it('node list --long uses the detail path and the long headers', async () => {
    const api = new FakeApi().on('GET', '/v1/nodes/detail', { status: 200, body: { nodes: [transcriptNode()] } });
    const r = await run(api, ['node', 'list', '--long', '-f', 'json']);
    const rows = JSON.parse(r.out) as Array<Record<string, unknown>>;
    expect(Object.keys(rows[0] ?? {})).toContain('Driver Internal Info');
    expect(rows[0]?.['Current RAID configuration']).toEqual({});
  });

  it('node list --fields accepts space- and comma-separated names', async () => {
    const api = new FakeApi().on('GET', '/v1/nodes?fields=uuid,name,driver', {
      status: 200,
      body: { nodes: [{ uuid: 'u', name: 'n', driver: 'ipmi', links: [] }] },
    });
    const r = await run(api, ['node', 'list', '--fields', 'uuid,name', 'driver', '-f', 'csv']);
    expect(r.out).toBe('"UUID","Name","Driver"\n"u","n","ipmi"\n');
  });

  it('port create sends only the given fields, llc values decoded', async () => {
    const api = new FakeApi().on('POST', '/v1/ports', { status: 201, body: PORT });
    await run(api, [
      'port', 'create', '52:54:00:ab:cd:01', '--node', NODE_UUID, '--local-link-connection', 'switch_id=00:11:22:33:44:55',
      '--local-link-connection', 'port_id=Eth1/1', '--pxe-enabled', 'false', '--physical-network', 'phys0',
    ]);
    expect(api.requests[0]?.body).toEqual({
      address: '52:54:00:ab:cd:01',
      node_uuid: NODE_UUID,
      local_link_connection: { switch_id: '00:11:22:33:44:55', port_id: 'Eth1/1' },
      pxe_enabled: 'false',
      physical_network: 'phys0',
    });
  });

  it('node delete reports each failure and exits 1', async () => {
    const api = new FakeApi()
      .on('DELETE', '/v1/nodes/good', { status: 204 })
      .on('DELETE', '/v1/nodes/bad', ironicError(404, 'Node bad could not be found.'));
    const r = await run(api, ['node', 'delete', 'bad', 'good']);
    expect(r).toEqual({
      out: 'Deleted node good\n',
      err: 'Failed to delete node bad: Node bad could not be found. (HTTP 404)\n',
      code: 1,
    });
  });

  it('driver property list sorts the properties', async () => {
    const api = new FakeApi().on('GET', '/v1/drivers/ipmi/properties', {
      status: 200,
      body: { ipmi_username: 'user', ipmi_address: 'addr' },
    });
    expect((await run(api, ['driver', 'property', 'list', 'ipmi', '-f', 'csv'])).out).toBe(
      '"Property","Description"\n"ipmi_address","addr"\n"ipmi_username","user"\n',
    );
  });

  it('global options are honoured anywhere on the line', async () => {
    const api = new FakeApi().on('GET', '/v1/conductors', { status: 200, body: { conductors: [] } });
    await run(api, ['conductor', 'list', '--os-endpoint', 'http://other:9999/v1', '--os-baremetal-api-version', '1.50']);
    expect(api.requests[0]?.url).toBe('http://other:9999/v1/conductors');
    expect(api.requests[0]?.headers['x-openstack-ironic-api-version']).toBe('1.50');
  });
});

describe('usage errors exit 2', () => {
  it.each([
    [['node', 'create']],
    [['node', 'show']],
    [['node', 'list', '--long', '--fields', 'uuid']],
    [['node', 'list', '-f', 'shell']],
    [['node', 'list', '--fields', 'bogus']],
    [['node', 'frobnicate']],
    [['--os-baremetal-api-version', 'abc', 'node', 'list']],
  ])('%j', async (argv) => {
    const r = await run(new FakeApi(), argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/error/);
  });

  it('--help exits 0', async () => {
    const r = await run(new FakeApi(), ['node', 'list', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('--provision-state');
  });
});
