// Deploy interfaces driven through the ramdisk agent: `direct` (the agent streams the image onto the disk) and
// `ramdisk` (the node runs a ramdisk as its instance). Their deploy steps, with Ironic's names and priorities:
//   deploy (100)  boot the deploy ramdisk, wait for the agent's call-back
//   write_image (80)  the agent's deploy.execute_deploy_step write_image; wait until the command finished
//   prepare_instance_boot (60)  partition facts from the agent; boot interface switches the node to its disk
//   tear_down_agent (40)  the agent powers the node off (or the BMC does, with deploy_forces_oob_reboot)
//   boot_instance (20)  power on from disk
// Cleaning runs the agent's clean steps (erase_devices_metadata, erase_devices) with priorities from settings.
import { InvalidParameterValueError } from '../../common/errors.js';
import { configDriveForAgent } from '../../images/configdrive-build.js';
import { nodeBootMode } from '../boot-mode.js';
import type {
  AgentCallback, DeployInterface, DriverTask, HeartbeatOutcome, StepCall, StepDescriptor, StepFlow, StepResult,
} from '../interfaces.js';
import { defineInterface } from '../interfaces.js';
import { AGENT_PROPERTIES, validateDirect, validateRamdisk } from './agent-validation.js';
import {
  agentClient, agentNodeView, agentPorts, bootRamdisk, followCommand, pendingCommand, powerOffNode, startCommand,
} from './agent-steps.js';

const step = (name: string, priority: number): StepDescriptor => ({ interface: 'deploy', step: name, priority, argsinfo: null });

const DIRECT_STEPS: readonly StepDescriptor[] = [
  step('deploy', 100), step('write_image', 80), step('prepare_instance_boot', 60), step('tear_down_agent', 40), step('boot_instance', 20),
];
const RAMDISK_STEPS: readonly StepDescriptor[] = [step('deploy', 100), step('boot_instance', 20)];

/** Steps that hand work to the agent: a heartbeat finishes them once the agent's command did. */
const WAITING_FOR_BOOT = new Set(['deploy']);

const truthy = (v: unknown) => v === true || (typeof v === 'string' && ['true', '1', 'yes', 'on'].includes(v.toLowerCase()));

/** `image_info` for write_image, as IPA's standby extension reads it (whole-disk images). */
export function imageInfo(task: DriverTask): Record<string, unknown> {
  const { node } = task;
  const ii = node.instanceInfo;
  const prepared = node.driverInternalInfo.agent_image as { checksum?: { algorithm: string; digest: string } | null; format?: string | null } | undefined;
  const url = ii.image_url ?? ii.image_source;
  if (typeof url !== 'string') throw new InvalidParameterValueError(`Node ${node.uuid} has no image URL to deploy`);
  const source = String(ii.image_source ?? url);
  const info: Record<string, unknown> = {
    id: source.split('?')[0]!.split('/').filter(Boolean).at(-1) ?? source,
    urls: [url],
    // Unknown (an http source nobody declared): the agent inspects the image's first bytes itself.
    disk_format: prepared?.format ?? ii.image_disk_format ?? null,
    container_format: 'bare',
    stream_raw_images: true,
    image_type: 'whole-disk',
    node_uuid: node.uuid,
  };
  const sum = prepared?.checksum;
  if (sum) {
    Object.assign(info, { os_hash_algo: sum.algorithm, os_hash_value: sum.digest });
    if (sum.algorithm === 'md5') info.checksum = sum.digest;
  }
  const proxies: Record<string, string> = {};
  if (typeof node.driverInfo.image_http_proxy === 'string') proxies.http = node.driverInfo.image_http_proxy;
  if (typeof node.driverInfo.image_https_proxy === 'string') proxies.https = node.driverInfo.image_https_proxy;
  if (Object.keys(proxies).length) info.proxies = proxies;
  if (typeof node.driverInfo.image_no_proxy === 'string') info.no_proxy = node.driverInfo.image_no_proxy;
  return info;
}

async function waitForPowerOff(task: DriverTask, timeoutS: number): Promise<boolean> {
  const end = Date.now() + timeoutS * 1000;
  while (Date.now() < end) {
    if ((await task.driver.power().getPowerState(task)) === 'power off') return true;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return false;
}

async function tearDownAgent(task: DriverTask): Promise<void> {
  const oob = truthy(task.node.driverInfo.deploy_forces_oob_reboot);
  if (!oob) {
    // Ask the agent first so it can flush and power off cleanly; the BMC finishes the job if it does not.
    try {
      await agentClient(task).execute('standby.power_off', {}, false);
      await waitForPowerOff(task, Math.min(30, task.env.config.powerActionTimeout));
    } catch {
      // fall through to out-of-band power off
    }
  }
  await powerOffNode(task);
  await task.driver.boot().cleanUpRamdisk(task);
}

async function bootInstance(task: DriverTask): Promise<void> {
  await task.driver.power().setPowerState(task, 'power on', { timeoutS: task.env.config.powerActionTimeout });
  await task.save({ powerState: 'power on' });
}

async function executeDirectStep(task: DriverTask, s: StepCall): Promise<StepResult> {
  switch (s.step) {
    case 'deploy':
      await bootRamdisk(task, 'deploy');
      return { kind: 'wait' };
    case 'write_image': {
      const params = {
        step: { interface: 'deploy', step: 'write_image', args: { image_info: imageInfo(task), configdrive: await configDriveForAgent(task.node, task.node.instanceInfo.configdrive), ...s.args } },
        node: agentNodeView(task.node), ports: agentPorts(task),
        deploy_version: task.node.driverInternalInfo.agent_hardware_version ?? null,
      };
      await startCommand(task, 'deploy.execute_deploy_step', params, 'write_image');
      return { kind: 'wait' };
    }
    case 'prepare_instance_boot': {
      const client = agentClient(task);
      const uuids = (await client.run('standby.get_partition_uuids')) as Record<string, unknown> | null;
      await client.run('standby.sync').catch(() => undefined);
      const root = uuids?.['root uuid'] ?? uuids?.root_uuid ?? null;
      await task.save({ driverInternalInfo: { ...task.node.driverInternalInfo, is_whole_disk_image: true, root_uuid_or_disk_id: root, deploy_boot_mode: nodeBootMode(task.node) } });
      await task.driver.boot().prepareInstance(task);
      return { kind: 'done' };
    }
    case 'tear_down_agent':
      await tearDownAgent(task);
      return { kind: 'done' };
    case 'boot_instance':
      await bootInstance(task);
      return { kind: 'done' };
    default:
      throw new InvalidParameterValueError(`Unknown deploy step ${s.interface}.${s.step}`);
  }
}

/** Clean step priorities the operator set win over the agent's (Ironic's [deploy]erase_devices_*_priority). */
function cleanPriority(task: DriverTask, name: string, agentPriority: number): number {
  const c = task.env.config;
  if (name === 'erase_devices') return c.eraseDevicesPriority ?? agentPriority;
  if (name === 'erase_devices_metadata') return c.eraseDevicesMetadataPriority ?? agentPriority;
  return agentPriority;
}

async function agentCleanSteps(task: DriverTask): Promise<StepDescriptor[]> {
  const r = (await agentClient(task).run('clean.get_clean_steps', { node: agentNodeView(task.node), ports: agentPorts(task) })) as
    { clean_steps?: Record<string, { step: string; priority: number; interface: string; abortable?: boolean; reboot_requested?: boolean }[]>; hardware_manager_version?: unknown } | null;
  const steps = new Map<string, StepDescriptor>();
  for (const list of Object.values(r?.clean_steps ?? {})) {
    for (const s of list) {
      // Several hardware managers may offer one step; the highest priority wins (IPA's own rule).
      const prev = steps.get(s.step);
      if (prev && prev.priority >= s.priority) continue;
      steps.set(s.step, { interface: 'deploy', step: s.step, priority: cleanPriority(task, s.step, s.priority), abortable: s.abortable ?? false, reboot_requested: s.reboot_requested ?? false });
    }
  }
  await task.save({ driverInternalInfo: { ...task.node.driverInternalInfo, agent_hardware_version: r?.hardware_manager_version ?? null } });
  return [...steps.values()];
}

async function heartbeat(task: DriverTask, flow: StepFlow): Promise<HeartbeatOutcome> {
  const current = (flow === 'deploy' ? task.node.deployStep : task.node.cleanStep) as Partial<StepCall>;
  if (!pendingCommand(task.node)) {
    if (flow === 'deploy' && current.step && WAITING_FOR_BOOT.has(current.step)) {
      // The ramdisk is up: learn its hardware manager version for the steps to come, as Ironic does.
      const r = (await agentClient(task).run('deploy.get_deploy_steps', { node: agentNodeView(task.node), ports: agentPorts(task) })) as { hardware_manager_version?: unknown } | null;
      await task.save({ driverInternalInfo: { ...task.node.driverInternalInfo, agent_hardware_version: r?.hardware_manager_version ?? null } });
      return { kind: 'resume' };
    }
    // A heartbeat with nothing pending (e.g. a repeat after a restart): the waiting step is over.
    return { kind: 'resume' };
  }
  return (await followCommand(task)).outcome;
}

function agentDeploy(name: 'direct' | 'ramdisk', offered: readonly StepDescriptor[], validate: DeployInterface['validate']): DeployInterface {
  return defineInterface({
    kind: 'deploy' as const,
    name,
    properties: name === 'direct' ? AGENT_PROPERTIES : {},
    validate,
    async steps(task: DriverTask, flow: StepFlow) {
      return flow === 'deploy' ? offered : agentCleanSteps(task);
    },
    async executeStep(task: DriverTask, flow: StepFlow, s: StepCall): Promise<StepResult> {
      if (flow === 'deploy') return executeDirectStep(task, s);
      await startCommand(task, 'clean.execute_clean_step', {
        step: { interface: s.interface, step: s.step, args: s.args, priority: s.priority },
        node: agentNodeView(task.node), ports: agentPorts(task), clean_version: task.node.driverInternalInfo.agent_hardware_version ?? null,
      }, s.step);
      return { kind: 'wait' };
    },
    heartbeat: (task: DriverTask, flow: StepFlow, _cb: AgentCallback) => heartbeat(task, flow),
    async prepareCleaning(task: DriverTask): Promise<StepResult> {
      await bootRamdisk(task, 'clean');
      return { kind: 'wait' };
    },
    async tearDownCleaning(task: DriverTask) {
      await powerOffNode(task);
      await task.driver.boot().cleanUpRamdisk(task);
    },
    async tearDown(task: DriverTask) {
      await powerOffNode(task);
      await task.driver.boot().cleanUpInstance(task);
      await task.driver.boot().cleanUpRamdisk(task);
    },
    async takeOver(task: DriverTask) {
      if (task.node.provisionState === 'active') await task.driver.boot().prepareInstance(task);
    },
  });
}

export const DirectDeploy = agentDeploy('direct', DIRECT_STEPS, validateDirect);
export const RamdiskDeploy = agentDeploy('ramdisk', RAMDISK_STEPS, validateRamdisk);
