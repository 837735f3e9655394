// `anvil lab up|list|down`: a virtual rack on this host for trying Anvil without hardware (src/lab/).
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { ApiClient } from '../http-client.js';
import { renderTable } from '../output/table.js';
import { DEFAULT_ENDPOINT } from '../runtime.js';
import { parseSize } from '../../lab/disk.js';
import { LabError } from '../../lab/host.js';
import { labDown, labEnrol, labList, labUp, type LabVmView } from '../../lab/lab.js';
import { serveCommandLine } from '../../lab/service.js';
import { defaultLabDir, loadState, type BootMode } from '../../lab/state.js';

function apiFor(endpoint: string): ApiClient {
  return new ApiClient({ endpoint, apiVersion: 'latest', log: { error: (line) => process.stderr.write(`${line}\n`) } });
}

const COLUMNS = ['Name', 'Node UUID', 'MAC', 'BMC', 'BMC User', 'BMC Password', 'Disk', 'Power State', 'Boot', 'Disk Holds'] as const;

export function labTable(rows: readonly LabVmView[]): string {
  const cells = rows.map((r) => [r.name, r.node_uuid ?? '', r.mac,
    r.bmc_url ? `${r.bmc_url}${r.bmc_system ?? ''}\n(redfish, CA ${r.bmc_cert})` : `${r.bmc_address}:${r.bmc_port ?? ''}`, r.bmc_username, r.bmc_password,
    `${r.disk}${r.disk_device ? `\n(${r.disk_device})` : ''}`, r.power_state, r.boot ?? '', r.disk_holds ?? '']);
  return renderTable(COLUMNS, cells, COLUMNS.map(() => 'l' as const), { maxWidth: 0, fitWidth: false, printEmpty: true }, 8);
}

function endpointOf(opts: Record<string, unknown>): string {
  return String(opts.osEndpoint ?? (process.env.OS_ENDPOINT || DEFAULT_ENDPOINT));
}

export function registerLab(program: Command): void {
  const lab = program.command('lab').description('A virtual rack on this host: machines in network namespaces with loop disks and IPMI or Redfish BMCs (needs root)');
  lab.command('up')
    .description('Create the lab network and N virtual machines, and enrol them as ipmi (or redfish) nodes')
    .option('--nodes <n>', 'number of virtual machines', '1')
    .option('--disk-size <size>', 'size of each virtual disk (sparse), e.g. 4G', '4G')
    .option('--address <cidr>', 'service side of the lab network (bridge address)', '10.213.0.1/24')
    .option('--boot-mode <mode>', 'firmware of the machines: bios or uefi', 'bios')
    .option('--bmc <type>', 'BMC of each machine: ipmi (ipmi_sim) or redfish (HTTPS on 127.0.0.1, enrolled as redfish nodes)', 'ipmi')
    .option('--name <prefix>', 'node name prefix: nodes are <prefix>-0, <prefix>-1, …', 'lab')
    .option('--dir <dir>', 'lab state directory (also ANVIL_LAB_DIR)')
    .option('--images-dir <dir>', 'directory for the deploy kernel and ramdisk (file:// URLs the service must accept)', 'var/images')
    .option('--os-endpoint <url>', `service to enrol into (Env: OS_ENDPOINT, default ${DEFAULT_ENDPOINT})`)
    .option('--serve', 'start `anvil serve` for the lab (stopped by `anvil lab down`) and enrol into it')
    .option('--no-enroll', 'build the machines without enrolling them')
    .action(async (opts: Record<string, unknown>) => {
      const bootMode = String(opts.bootMode);
      if (bootMode !== 'bios' && bootMode !== 'uefi') throw new LabError(`--boot-mode must be bios or uefi, got ${bootMode}`);
      const bmc = String(opts.bmc);
      if (bmc !== 'ipmi' && bmc !== 'redfish') throw new LabError(`--bmc must be ipmi or redfish, got ${bmc}`);
      const nodes = Number(opts.nodes);
      const endpoint = endpointOf(opts);
      const port = Number(new URL(endpoint).port || 80);
      const dir = opts.dir ? resolve(String(opts.dir)) : defaultLabDir();
      const state = await labUp({
        dir, nodes, diskSizeBytes: parseSize(String(opts.diskSize)), cidr: String(opts.address), bootMode: bootMode as BootMode, bmc,
        name: String(opts.name), imagesDir: String(opts.imagesDir),
        api: opts.enroll !== false && !opts.serve ? apiFor(endpoint) : undefined,
        endpoint, serve: opts.serve && opts.enroll !== false ? { port, api: apiFor } : undefined,
        progress: (line) => process.stderr.write(`${line}\n`),
      });
      process.stdout.write(`${labTable(labList(dir).vms)}\n`);
      if (!state.service) {
        process.stdout.write(`\nThe service must be reachable from the lab network; run it with\n  ${serveCommandLine(state, port)}\n`);
      }
      process.stdout.write(`\nLab ${state.id} is up in ${dir}. Try:\n  baremetal node list\n  baremetal node manage ${state.vms[0]!.name} --wait\n` +
        `  baremetal node provide ${state.vms[0]!.name} --wait\n  anvil lab list\n  anvil lab down\n`);
    });
  lab.command('enroll')
    .description('Enrol the machines of a lab built with --no-enroll (nodes already enrolled are skipped)')
    .option('--dir <dir>', 'lab state directory (also ANVIL_LAB_DIR)')
    .option('--os-endpoint <url>', `service to enrol into (Env: OS_ENDPOINT, default ${DEFAULT_ENDPOINT})`)
    .action(async (opts: Record<string, unknown>) => {
      const endpoint = endpointOf(opts);
      const dir = opts.dir ? resolve(String(opts.dir)) : defaultLabDir();
      await labEnrol(dir, apiFor(endpoint), endpoint, (line) => process.stderr.write(`${line}\n`));
      process.stdout.write(`${labTable(labList(dir).vms)}\n`);
    });
  lab.command('list')
    .description('Show the virtual machines: node, MAC, BMC, disk, power state, what the disk holds')
    .option('-f, --format <format>', 'output format: table or json', 'table')
    .option('--dir <dir>', 'lab state directory (also ANVIL_LAB_DIR)')
    .action((opts: Record<string, unknown>) => {
      const format = String(opts.format);
      if (format !== 'json' && format !== 'table') throw new LabError(`--format must be json or table, got ${format}`);
      const { vms } = labList(opts.dir ? String(opts.dir) : defaultLabDir());
      process.stdout.write(format === 'json' ? `${JSON.stringify(vms, null, 2)}\n` : `${labTable(vms)}\n`);
    });
  lab.command('down')
    .description('Remove everything `anvil lab up` created: nodes it enrolled, processes, namespaces, loop devices, files')
    .option('--dir <dir>', 'lab state directory (also ANVIL_LAB_DIR)')
    .option('--os-endpoint <url>', 'service the nodes were enrolled into (default: the one recorded by up)')
    .option('--keep-nodes', 'leave the enrolled nodes in the service')
    .action(async (opts: Record<string, unknown>) => {
      const dir = opts.dir ? resolve(String(opts.dir)) : defaultLabDir();
      const state = loadState(dir);
      const endpoint = opts.osEndpoint ? String(opts.osEndpoint) : state?.endpoint;
      const res = await labDown(dir, endpoint && !opts.keepNodes ? apiFor(endpoint) : undefined);
      for (const w of res.warnings) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(res.found ? `lab in ${dir} removed\n` : `no lab in ${dir}\n`);
    });
}
