// A deploy through the lab with a Redfish BMC: the node is enrolled with `--driver redfish` (its BMC an
// HTTPS Redfish service with a self-signed certificate that the node's redfish_verify_ca names), powered
// through ComputerSystem.Reset and switched with the boot override, netboots with iPXE through Anvil's
// dnsmasq, and the agent writes the image; the conductor boots the disk (override Hdd). Automated cleaning
// is off (lab-deploy.test.ts cleans through IPMI). Then the same machine is deployed again with the agent
// booted from virtual media: the conductor's ISO inserted into the BMC's virtual CD, a one-time Cd boot, the
// CD ejected once the image is on disk. One machine, ~15 s.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab, type LabVm } from '../support/lab.js';
import { gptDiskImage, setFileImage } from '../support/lab-images.js';

let lab: Lab;
let vm: LabVm;
let imgDir: string;
let image: Buffer;
let imageFile: string;

beforeAll(async () => {
  imgDir = mkdtempSync(join(tmpdir(), 'anvil-lab-redfish-img-'));
  ({ file: imageFile, bytes: image } = gptDiskImage(imgDir, 5, 0xa5));
  const anvilArgs = ['--deploy-callback-timeout', '120', '--no-automated-clean', '--power-state-sync-interval', '0'];
  lab = await startLab({ nodes: 1, bmc: 'redfish', fileUrlAllowedPaths: [imgDir], anvilArgs });
  [vm] = lab.vms as [LabVm];
}, 120_000);

afterAll(async () => {
  try {
    expect(await lab?.stop(), 'left behind by the lab').toEqual([]);
  } finally {
    rmSync(imgDir, { recursive: true, force: true });
  }
}, 120_000);

/** The firmware booted the deployed disk (the conductor's last boot override, Hdd). */
async function waitDiskBoot(): Promise<void> {
  for (let i = 0; i < 50 && lab.list()[0]?.boot !== 'disk'; i++) await new Promise((ok) => setTimeout(ok, 200));
  expect(lab.list()[0]).toMatchObject({ power_state: 'power on', boot: 'disk' });
}

describe('deploy through the lab with a Redfish BMC', { timeout: 240_000 }, () => {
  it('is a redfish node that validates, and deploys a file:// image with ipxe: active, the disk holds its bytes', async () => {
    const node: { body: any } = await lab.api!.request('GET', `/v1/nodes/${vm.uuid}`);
    expect(node.body).toMatchObject({ driver: 'redfish', power_interface: 'redfish', management_interface: 'redfish', boot_interface: 'ipxe' });
    expect(node.body.driver_info.redfish_password).toBe('******');
    const valid: { body: any } = await lab.api!.request('GET', `/v1/nodes/${vm.uuid}/validate`);
    for (const kind of ['power', 'management', 'boot']) expect(valid.body[kind], kind).toEqual({ result: true });

    await lab.provision(vm, 'manage');
    await lab.waitProvisionState(vm, 'manageable');
    await lab.provision(vm, 'provide');
    await lab.waitProvisionState(vm, 'available');
    await setFileImage(lab, vm, imageFile); // undeploy clears instance_info
    await lab.provision(vm, 'active');
    const active = await lab.waitProvisionState(vm, 'active');
    expect(active.power_state).toBe('power on');
    expect(vm.readDisk(0, image.length).equals(image)).toBe(true);
    // The BMC was driven over Redfish: the network boot came from a Pxe override, the final boot from Hdd.
    const events = vm.bmcEvents();
    expect(events).toMatch(/power on pid=\d+ bootdev=pxe/);
    expect(events).toMatch(/power on pid=\d+ bootdev=disk/);
    await waitDiskBoot();
  });

  it('undeploys, then deploys again booting the agent from virtual media: ISO inserted, booted once from Cd, ejected', async () => {
    await lab.provision(vm, 'deleted');
    await lab.waitProvisionState(vm, 'available');
    const set = await lab.api!.request('PATCH', `/v1/nodes/${vm.uuid}`, [{ op: 'replace', path: '/boot_interface', value: 'redfish-virtual-media' }]);
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const valid: { body: any } = await lab.api!.request('GET', `/v1/nodes/${vm.uuid}/validate`);
    expect(valid.body.boot).toEqual({ result: true });
    const eventsBefore = vm.bmcEvents().length;
    await setFileImage(lab, vm, imageFile); // undeploy clears instance_info
    await lab.provision(vm, 'active');
    const active = await lab.waitProvisionState(vm, 'active');
    expect(active.power_state).toBe('power on');
    expect(vm.readDisk(0, image.length).equals(image)).toBe(true);
    const events = vm.bmcEvents().slice(eventsBefore);
    expect(events).toMatch(/power on pid=\d+ bootdev=cdrom/);
    expect(events).toMatch(/power on pid=\d+ bootdev=disk/);
    expect(events).not.toMatch(/bootdev=pxe/);
    // The firmware fetched Anvil's ISO from the boot HTTP server and booted the kernel its config names.
    expect(vm.firmwareLog()).toMatch(new RegExp(`cd: fetching http://\\S+/vmedia/${vm.uuid}/boot-\\w+\\.iso`));
    expect(vm.firmwareLog()).toMatch(/cd: \/(isolinux\/isolinux\.cfg|boot\/grub\/grub\.cfg): kernel \S*vmlinuz/);
    // Ejected once the image was on disk, and the ISO is gone from the boot HTTP root.
    expect(JSON.parse(readFileSync(join(vm.bmc.dir, 'redfish.json'), 'utf8')).virtualMedia).toBeNull();
    expect(existsSync(join(lab.anvil!.stateDir, 'httpboot', 'vmedia', vm.uuid))).toBe(false);
    await waitDiskBoot();
  });
});
