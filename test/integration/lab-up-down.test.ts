// `anvil lab` end to end without a deploy: up builds two machines and enrols them into a real Anvil as
// ipmi nodes (BMC driver_info, deploy kernel/ramdisk URLs, a PXE port per NIC MAC); Anvil drives their
// ipmi_sim BMCs; `anvil lab list` (the CLI) shows them; down leaves no namespace, link, loop device,
// process or file behind; the README tour's `lab up --serve` / `lab down` through the CLI. ~40 s.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labUp } from '../../src/lab/lab.js';
import { loopBackingFile } from '../../src/lab/disk.js';
import { freeLabSubnet, labLeftovers, labProcesses, startLab, type Lab } from '../support/lab.js';
import { loadState } from '../../src/lab/state.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
let lab: Lab;

function anvil(...args: string[]) {
  const r = spawnSync(process.execPath, [resolve(ROOT, 'bin/anvil.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

beforeAll(async () => {
  lab = await startLab({ nodes: 2 });
}, 120_000);

afterAll(async () => {
  if (!lab) return;
  const left = await lab.stop();
  expect(left).toEqual([]);
}, 120_000);

describe('anvil lab', { timeout: 60_000 }, () => {
  it('enrols each machine as an ipmi node with its BMC, deploy images and a PXE port of its NIC MAC', async () => {
    for (const vm of lab.vms) {
      const node = (await lab.api!.request('GET', `/v1/nodes/${vm.uuid}`)).body as any;
      expect(node).toMatchObject({
        name: vm.name, driver: 'ipmi', provision_state: 'enroll',
        driver_info: {
          ipmi_address: '127.0.0.1', ipmi_port: vm.bmc.port, ipmi_username: 'admin', ipmi_password: '******',
          deploy_kernel: lab.state.deployImages!.kernelUrl, deploy_ramdisk: lab.state.deployImages!.ramdiskUrl,
        },
        properties: { capabilities: 'boot_mode:bios', cpu_arch: 'x86_64' },
      });
      const ports = (await lab.api!.request('GET', `/v1/ports?node=${vm.uuid}&fields=address,pxe_enabled`)).body as any;
      expect(ports.ports).toEqual([expect.objectContaining({ address: vm.mac, pxe_enabled: true })]);
      // The port's MAC is the machine's real NIC, inside its namespace.
      const link = spawnSync('ip', ['-n', vm.netns, '-j', 'link', 'show', 'eth0'], { encoding: 'utf8' });
      expect(JSON.parse(link.stdout)[0].address).toBe(vm.mac);
      expect(loopBackingFile(vm.disk.device)).toBe(vm.disk.file);
    }
    expect(new Set(lab.vms.map((v) => v.mac)).size).toBe(2);
    expect(new Set(lab.vms.map((v) => v.bmc.port)).size).toBe(2);
  });

  it('Anvil powers a machine on and off through its BMC; lab list shows the power state and what the disk holds', async () => {
    const vm = lab.vms[0]!;
    const manage = await lab.api!.request('PUT', `/v1/nodes/${vm.uuid}/states/provision`, { target: 'manage' });
    expect(manage.status).toBe(202);
    for (let i = 0; i < 100; i++) {
      const n = (await lab.api!.request('GET', `/v1/nodes/${vm.uuid}`)).body as any;
      if (n.provision_state !== 'verifying') {
        expect(n.provision_state).toBe('manageable');
        break;
      }
      await sleep(200);
    }
    expect((await lab.api!.request('PUT', `/v1/nodes/${vm.uuid}/management/boot_device`, { boot_device: 'disk' })).status).toBe(204);
    expect((await lab.api!.request('PUT', `/v1/nodes/${vm.uuid}/states/power`, { target: 'power on' })).status).toBe(202);
    let disk = vm.diskReport();
    for (let i = 0; i < 100 && !disk; i++) {
      await sleep(200);
      disk = vm.diskReport();
    }
    expect(disk).toMatchObject({ blank: true, partitionTable: null, device: vm.disk.device });
    const listed = JSON.parse(anvil('lab', 'list', '--dir', lab.dir, '-f', 'json').stdout);
    expect(listed).toHaveLength(2);
    expect(listed[0]).toMatchObject({
      name: vm.name, node_uuid: vm.uuid, mac: vm.mac, bmc_address: '127.0.0.1', bmc_port: vm.bmc.port,
      bmc_username: 'admin', bmc_password: vm.bmc.password, disk: vm.disk.file, disk_device: vm.disk.device,
      power_state: 'power on', boot: 'disk', disk_holds: 'blank',
    });
    expect(listed[1]).toMatchObject({ name: lab.vms[1]!.name, power_state: 'power off', boot: null });
    const table = anvil('lab', 'list', '--dir', lab.dir);
    expect(table.stdout).toMatch(new RegExp(`\\| ${vm.name} +\\| ${vm.uuid} \\| ${vm.mac} \\| 127\\.0\\.0\\.1:${vm.bmc.port} `));

    expect((await lab.api!.request('PUT', `/v1/nodes/${vm.uuid}/states/power`, { target: 'power off' })).status).toBe(202);
    // chassis-control logs the power off once the machine is gone.
    for (let i = 0; i < 100 && !/power off pid=/.test(vm.bmcEvents()); i++) await sleep(200);
    expect(vm.bmcEvents()).toMatch(/power off pid=/);
    expect(lab.list()[0]!.power_state).toBe('power off');
  });

  it('refuses a second lab on a subnet already in use, and bad options, before creating anything', async () => {
    const common = { dir: `${lab.dir}-second`, nodes: 1, diskSizeBytes: 64 * 1024 ** 2, bootMode: 'bios' as const, name: 'lab', imagesDir: `${lab.dir}-img` };
    await expect(labUp({ ...common, cidr: `${lab.serverIp}/24` })).rejects.toThrow(/overlaps/);
    await expect(labUp({ ...common, cidr: '8.8.8.1/24' })).rejects.toThrow(/private address/);
    await expect(labUp({ ...common, cidr: '10.213.1.1/24', nodes: 0 })).rejects.toThrow(/--nodes must be/);
    expect(anvil('lab', 'up', '--dir', lab.dir, '--no-enroll').stderr).toMatch(/already up/);
    expect(anvil('lab', 'list', '--dir', `${lab.dir}-none`).stderr).toMatch(/no lab in/);
  });

  it('the README tour\'s commands: `anvil lab up --serve` starts Anvil for the lab and enrols into it; `anvil lab down` removes all of it', async () => {
    const base = mkdtempSync(join(tmpdir(), 'anvil-lab-cli-'));
    const dir = join(base, 'lab');
    const port = await new Promise<number>((ok) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => ok(p));
      });
    });
    const endpoint = `http://127.0.0.1:${port}`;
    try {
      const up = anvil('lab', 'up', '--nodes', '1', '--serve', '--dir', dir, '--images-dir', join(base, 'images'),
        '--address', await freeLabSubnet(), '--disk-size', '64M', '--name', 'tour', '--os-endpoint', endpoint);
      expect(up.status, up.stderr).toBe(0);
      expect(up.stderr).toMatch(new RegExp(`service: anvil serve at ${endpoint}`));
      const state = loadState(dir)!;
      const procs = [...(await labProcesses(state)), { pid: state.service!.pid, start: state.service!.start }];
      const list = spawnSync(process.execPath, [resolve(ROOT, 'bin/baremetal.js'), 'node', 'list', '-f', 'json', '-c', 'Name', '-c', 'Provisioning State'],
        { encoding: 'utf8', env: { ...process.env, OS_ENDPOINT: endpoint } });
      expect(JSON.parse(list.stdout)).toEqual([{ Name: 'tour-0', 'Provisioning State': 'enroll' }]);
      // The service also answers on the bridge address, where the machines reach it.
      const viaBridge = await fetch(`http://${state.network.serverIp}:${port}/v1`);
      expect(viaBridge.status).toBe(200);
      const down = anvil('lab', 'down', '--dir', dir);
      expect(down.status, down.stderr).toBe(0);
      expect(await labLeftovers(state, procs)).toEqual([]);
    } finally {
      anvil('lab', 'down', '--dir', dir);
      rmSync(base, { recursive: true, force: true });
    }
  });
});
