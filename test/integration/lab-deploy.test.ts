// A deploy through the lab, the README tour with real peers all the way: Anvil drives the machine's
// ipmi_sim BMC, the machine netboots (real DHCP and TFTP on the lab network), starts anvil-agent
// sandboxed with the boot config's command line, the agent looks its node up and writes the image onto
// the machine's loop disk; the conductor then boots it from disk and the firmware reports what the disk
// holds. Checked byte for byte. Afterwards the machine's BMC password, used by every power and boot-device
// call of the flow, is searched for in the API's answers and every log line: it may appear in none. One
// machine, ~40 s.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab, type LabVm } from '../support/lab.js';
import { gptDiskImage, setFileImage } from '../support/lab-images.js';

const MIB = 2 ** 20;
let lab: Lab;
let vm: LabVm;
let imgDir: string;
let image: Buffer;

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

beforeAll(async () => {
  imgDir = mkdtempSync(join(tmpdir(), 'anvil-lab-img-'));
  image = gptDiskImage(imgDir, 7, 0x5a).bytes;
  lab = await startLab({
    nodes: 1, fileUrlAllowedPaths: [imgDir],
    anvilArgs: ['--deploy-callback-timeout', '120', '--clean-callback-timeout', '120', '--power-state-sync-interval', '0'],
  });
  vm = lab.vms[0]!;
}, 120_000);

afterAll(async () => {
  const left = await lab?.stop();
  rmSync(imgDir, { recursive: true, force: true });
  expect(left).toEqual([]);
}, 120_000);

describe('deploy through the lab', { timeout: 240_000 }, () => {
  it('manage, provide (cleaning through the agent), deploy a raw file:// image: active, the disk holds its bytes', async () => {
    await lab.provision(vm, 'manage');
    await lab.waitProvisionState(vm, 'manageable');
    await lab.provision(vm, 'provide');
    await lab.waitProvisionState(vm, 'available');
    await setFileImage(lab, vm, join(imgDir, 'disk.raw'));
    await lab.provision(vm, 'active');
    const active = await lab.waitProvisionState(vm, 'active');
    expect(active.power_state).toBe('power on');
    expect(vm.readDisk(0, image.length).equals(image)).toBe(true);
    // The conductor booted the machine from its disk: the firmware read the GPT the image carries.
    let disk = vm.diskReport();
    for (let i = 0; i < 50 && !(disk && disk.partitionTable); i++) {
      await sleep(200);
      disk = vm.diskReport();
    }
    expect(disk).toMatchObject({ blank: false, partitionTable: 'gpt' });
    expect(disk!.sha256FirstMiB).toBe(createHash('sha256').update(image.subarray(0, MIB)).digest('hex'));
    expect(lab.list()[0]).toMatchObject({ power_state: 'power on', boot: 'disk' });
    expect(lab.list()[0]!.disk_holds).toMatch(/^gpt, 1 partition\(s\)/);
  });

  /** Every boot file named after the machine's MAC, in Anvil's TFTP and HTTP roots. */
  function macFiles(): string[] {
    const dashed = vm.mac.toLowerCase().replaceAll(':', '-');
    const found: string[] = [];
    for (const root of ['tftpboot', 'httpboot']) {
      const walk = (dir: string): void => {
        if (!existsSync(dir)) return;
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          const path = join(dir, e.name);
          if (e.isDirectory()) walk(path);
          else if (e.name.includes(dashed)) found.push(path);
        }
      };
      walk(join(lab.anvil!.stateDir, root));
    }
    return found;
  }

  it('undeploy cleans through the agent (metadata erased), removes every MAC-named boot file, and returns to available', async () => {
    expect(macFiles()).toEqual([]);
    await lab.provision(vm, 'deleted');
    // While the node waits for its cleaning ramdisk, its MAC names its boot config.
    for (let i = 0; i < 100 && macFiles().length === 0; i++) await sleep(100);
    const during = macFiles();
    await lab.waitProvisionState(vm, 'available');
    expect(during.length).toBeGreaterThan(0);
    expect(macFiles()).toEqual([]);
    expect(vm.readDisk(512, 8).toString('latin1')).not.toBe('EFI PART');
  });

  it('inspects through the agent: inventory recorded, properties set from the machine, its port known', async () => {
    await lab.provision(vm, 'manage');
    await lab.waitProvisionState(vm, 'manageable');
    const iface = await lab.api!.request('PATCH', `/v1/nodes/${vm.uuid}`, [{ op: 'replace', path: '/inspect_interface', value: 'agent' }]);
    expect(iface.status, JSON.stringify(iface.body)).toBe(200);
    await lab.provision(vm, 'inspect');
    const done = await lab.waitProvisionState(vm, 'manageable');
    expect(done.last_error).toBeNull();
    expect(done.properties).toMatchObject({ cpu_arch: 'x86_64' });
    expect(done.properties.cpus).toBeGreaterThan(0);
    expect(done.properties.memory_mb).toBeGreaterThan(0);
    const inventory: { status: number; body: any } = await lab.api!.request('GET', `/v1/nodes/${vm.uuid}/inventory`);
    expect(inventory.status).toBe(200);
    const macs = inventory.body.inventory.interfaces.map((i: { mac_address: string }) => i.mac_address.toLowerCase());
    expect(macs).toContain(vm.mac.toLowerCase());
    const ports: { body: any } = await lab.api!.request('GET', `/v1/ports?node=${vm.uuid}`);
    expect(ports.body.ports.map((p: { address: string }) => p.address)).toEqual([vm.mac.toLowerCase()]);
  });

  it('kept the BMC password of the whole flow out of every API answer and every log line', async () => {
    const secret = vm.bmc.password;
    expect(secret.length).toBeGreaterThanOrEqual(8);
    const answers: string[] = [];
    for (const path of [`/v1/nodes/${vm.uuid}`, '/v1/nodes/detail', `/v1/nodes/${vm.uuid}/history?detail=true`, `/v1/nodes/${vm.uuid}/validate`,
      `/v1/nodes/${vm.uuid}/states`]) {
      const r: { status: number; body: unknown } = await lab.api!.request('GET', path);
      expect(r.status, path).toBe(200);
      answers.push(JSON.stringify(r.body));
    }
    // The node really holds it (masked), so the search is for something the service had in hand.
    expect(answers[0]).toContain('"ipmi_password":"******"');
    const everything = [...answers, ...lab.anvil!.logLines(), lab.anvil!.stdout(), vm.agentLog(), vm.firmwareLog()].join('\n');
    expect(everything.length).toBeGreaterThan(1000);
    expect(everything.includes(secret)).toBe(false);
  });
});
