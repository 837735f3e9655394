// Enrolment of the lab's machines into a service over its REST API: one `ipmi` or `redfish` node per machine with its
// BMC's driver_info and the lab's deploy kernel and ramdisk, and a PXE-enabled port with the machine's MAC.
// The API client is passed in (the CLI's), so this module speaks only Ironic's wire format.
import type { LabState, VmState } from './state.js';
import { LabError } from './host.js';

export interface LabApi {
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

function ok(res: { status: number; body: unknown }, what: string): Record<string, unknown> {
  if (res.status >= 300) throw new LabError(`${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body ?? {}) as Record<string, unknown>;
}

/** The node's driver and BMC keys of driver_info (Ironic's names for each hardware type). */
function bmcDriverInfo(vm: VmState): { driver: string; info: Record<string, unknown> } {
  const bmc = vm.bmc!;
  if (bmc.type === 'redfish') {
    return {
      driver: 'redfish',
      info: {
        redfish_address: bmc.url, redfish_system_id: bmc.systemPath, redfish_username: bmc.username, redfish_password: bmc.password,
        // The BMC's own self-signed certificate: verification stays on.
        redfish_verify_ca: bmc.certFile,
      },
    };
  }
  return {
    driver: 'ipmi',
    info: {
      ipmi_address: bmc.address, ipmi_port: bmc.port, ipmi_username: bmc.username, ipmi_password: bmc.password,
      // ipmi_sim 2.0.33 cannot negotiate a cipher suite; 3 is what Ironic uses by default.
      ipmi_cipher_suite: 3,
    },
  };
}

export function nodeBody(state: LabState, vm: VmState): Record<string, unknown> {
  const { driver, info } = bmcDriverInfo(vm);
  return {
    name: vm.name,
    driver,
    driver_info: { ...info, deploy_kernel: state.deployImages!.kernelUrl, deploy_ramdisk: state.deployImages!.ramdiskUrl },
    properties: {
      cpu_arch: 'x86_64', local_gb: Math.floor(vm.disk!.sizeBytes / 1024 ** 3), capabilities: `boot_mode:${vm.bootMode}`,
    },
    extra: { anvil_lab: state.id },
  };
}

/** Creates the node and its port; resolves to the node's UUID. */
export async function enrolVm(api: LabApi, state: LabState, vm: VmState): Promise<string> {
  const node = ok(await api.request('POST', '/v1/nodes', nodeBody(state, vm)), `enrolling ${vm.name}`);
  const uuid = String(node.uuid);
  try {
    ok(await api.request('POST', '/v1/ports', { node_uuid: uuid, address: vm.mac, pxe_enabled: true }), `creating the port of ${vm.name}`);
  } catch (err) {
    await api.request('DELETE', `/v1/nodes/${uuid}`).catch(() => undefined);
    throw err;
  }
  return uuid;
}

/** Deletes a node the lab enrolled (maintenance first, so any state allows it). Best effort: returns a warning. */
export async function unenrolVm(api: LabApi, uuid: string): Promise<string | null> {
  try {
    const got = await api.request('GET', `/v1/nodes/${uuid}`);
    if (got.status === 404) return null;
    await api.request('PUT', `/v1/nodes/${uuid}/maintenance`, { reason: 'anvil lab down' });
    const res = await api.request('DELETE', `/v1/nodes/${uuid}`);
    if (res.status >= 300 && res.status !== 404) return `could not delete node ${uuid}: HTTP ${res.status} ${JSON.stringify(res.body)}`;
    return null;
  } catch (err) {
    return `could not delete node ${uuid}: ${(err as Error).message}`;
  }
}
