// What agent-driven interfaces share: booting the node into its ramdisk, reaching its agent, describing the
// node and its ports the way the agent expects them, and following an asynchronous agent command across
// heartbeats (`driver_internal_info.agent_command` remembers which one a wait is for).
import type { NodeRecord } from '../../db/records.js';
import type { DriverTask, HeartbeatOutcome, RamdiskPurpose } from '../interfaces.js';
import { AgentClient, AgentCommandError, commandErrorText, type AgentCommand } from './agent-client.js';

/** Facts about the previous ramdisk boot that must not survive into the next one (its token above all). */
const AGENT_BOOT_KEYS = ['agent_url', 'agent_secret_token', 'agent_verify_ca', 'agent_last_heartbeat', 'agent_version', 'agent_command', 'agent_hardware_version'];

export function withoutAgentBoot(info: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(info).filter(([k]) => !AGENT_BOOT_KEYS.includes(k)));
}

/** Next power on boots the ramdisk for `purpose`; the node is (re)started into it. A new boot gets a new token. */
export async function bootRamdisk(task: DriverTask, purpose: RamdiskPurpose): Promise<void> {
  await task.save({ driverInternalInfo: withoutAgentBoot(task.node.driverInternalInfo) });
  await task.driver.boot().prepareRamdisk(task, purpose);
  const power = task.driver.power();
  const state = await power.getPowerState(task);
  await power.setPowerState(task, state === 'power on' ? 'rebooting' : 'power on', { timeoutS: task.env.config.powerActionTimeout });
  await task.save({ powerState: 'power on' });
}

/** Powers the node off out of band and forgets its agent. */
export async function powerOffNode(task: DriverTask): Promise<void> {
  await task.driver.power().setPowerState(task, 'power off', { timeoutS: task.env.config.powerActionTimeout });
  await task.save({ powerState: 'power off', driverInternalInfo: withoutAgentBoot(task.node.driverInternalInfo) });
}

export function agentClient(task: DriverTask): AgentClient {
  return new AgentClient(task.node, {
    timeoutS: task.env.config.agentCommandTimeout,
    allowInsecure: task.env.config.agentAllowInsecureCallback,
  });
}

/** The node as the agent reads it (IPA looks at uuid, properties.root_device, instance_info, capabilities). */
export function agentNodeView(node: NodeRecord): Record<string, unknown> {
  const { agent_secret_token: _t, ...internal } = node.driverInternalInfo;
  const { configdrive: _c, image_url: _u, rescue_password: _p, ...instance } = node.instanceInfo;
  return {
    uuid: node.uuid, name: node.name, driver: node.driver, properties: node.properties, instance_info: instance,
    driver_internal_info: internal, extra: node.extra, boot_mode: node.bootMode, secure_boot: node.secureBoot,
  };
}

export function agentPorts(task: DriverTask): Record<string, unknown>[] {
  return task.ports.map((p) => ({
    uuid: p.uuid, address: p.address, pxe_enabled: p.pxeEnabled, local_link_connection: p.localLinkConnection,
    physical_network: p.physicalNetwork, extra: p.extra,
  }));
}

/** What a wait on an asynchronous command is for: the command's id and the step that issued it. */
interface PendingCommand {
  readonly id: string;
  readonly name: string;
  readonly step: string;
}

/** Starts an asynchronous agent command and remembers it, so the next heartbeats can follow it. */
export async function startCommand(task: DriverTask, name: string, params: Record<string, unknown>, step: string): Promise<void> {
  const r = await agentClient(task).execute(name, params, false);
  if (r.command_status === 'FAILED') throw new AgentCommandError(commandErrorText(r.command_error));
  const pending: PendingCommand = { id: r.id, name, step };
  await task.save({ driverInternalInfo: { ...task.node.driverInternalInfo, agent_command: pending } });
}

export function pendingCommand(node: NodeRecord): PendingCommand | null {
  const p = node.driverInternalInfo.agent_command;
  return p && typeof p === 'object' && typeof (p as PendingCommand).id === 'string' ? (p as PendingCommand) : null;
}

/**
 * Follows the pending command on a heartbeat: still RUNNING → wait; SUCCEEDED → resume; FAILED → throws the
 * agent's error. Like Ironic it reads the agent's command list; the one with the pending id decides.
 */
export async function followCommand(task: DriverTask): Promise<{ outcome: HeartbeatOutcome; result?: unknown }> {
  const pending = pendingCommand(task.node);
  if (!pending) return { outcome: { kind: 'resume' } };
  const commands = await agentClient(task).commands();
  const cmd: AgentCommand | undefined = commands.find((c) => c.id === pending.id) ?? commands.at(-1);
  if (!cmd) throw new AgentCommandError(`the agent no longer knows command ${pending.name} (it may have restarted)`);
  if (cmd.command_status === 'RUNNING') {
    await recordProgress(task, cmd);
    return { outcome: { kind: 'wait' } };
  }
  const { agent_command: _c, ...rest } = task.node.driverInternalInfo;
  await task.save({ driverInternalInfo: rest });
  if (cmd.command_status !== 'SUCCEEDED') {
    throw new AgentCommandError(`agent command ${pending.name} ${cmd.command_status.toLowerCase()}: ${commandErrorText(cmd.command_error)}`);
  }
  return { outcome: { kind: 'resume' }, result: cmd.command_result };
}

/** The agent's progress figures for a running write, shown on the node (`driver_internal_info.deploy_progress`). */
async function recordProgress(task: DriverTask, cmd: AgentCommand): Promise<void> {
  const result = cmd.command_result as { progress?: unknown } | null;
  if (!result || typeof result !== 'object' || !result.progress || typeof result.progress !== 'object') return;
  await task.save({ driverInternalInfo: { ...task.node.driverInternalInfo, deploy_progress: result.progress } });
}
