// One entry per user action on a node's state: provision verbs, power, boot device, maintenance. Each checks
// the request synchronously (so errors reach the API caller), takes the node lock, changes the state, and
// hands the slow part to the background.
import {
  InvalidParameterValueError, InvalidStateRequestedError, NodeLockedError, NotAcceptableError, NodeProtectedError,
  MissingParameterValueError, UnsupportedDriverExtensionError,
} from '../common/errors.js';
import { log } from '../common/log.js';
import type { NodeRecord } from '../db/records.js';
import { nowTimestamp } from '../db/schema.js';
import { POWER_TARGETS, type BootDevice, type PowerTarget } from '../drivers/interfaces.js';
import { checkConfigDrive } from '../images/configdrive-build.js';
import { ABORTABLE_SINCE, VERBS, nextState } from './machine.js';
import { acquireNode, type Task } from './task.js';
import type { ConductorContext } from './context.js';
import { flowFor } from './workflows/flows.js';
import { validateNode } from './node-service.js';
import { reapplyBootDevice, rememberBootDevice } from './forced-boot-device.js';
import type { ProvisionState, UserEvent } from './states.js';

export interface ProvisionRequest {
  readonly target: string;
  readonly configdrive?: unknown;
  readonly cleanSteps?: unknown;
  readonly deploySteps?: unknown;
  readonly serviceSteps?: unknown;
  readonly rescuePassword?: unknown;
  readonly disableRamdisk?: unknown;
}

const VALIDATED_KINDS: Partial<Record<UserEvent, string[]>> = {
  manage: ['power'], deploy: ['power', 'deploy', 'boot'], rebuild: ['power', 'deploy', 'boot'], adopt: ['power', 'deploy'],
  inspect: ['power', 'inspect'], rescue: ['power', 'rescue'], unrescue: ['power', 'rescue'], clean: ['power'], provide: ['power'],
};

/** What an abort stops, by the state it is asked in (for last_error, in Ironic's words). */
const ABORTED: Readonly<Record<string, string>> = {
  'wait call-back': 'deploy', 'deploy hold': 'deploy', 'clean wait': 'clean', 'clean hold': 'clean', 'inspect wait': 'inspection',
  'rescue wait': 'rescue', 'service wait': 'service', 'service hold': 'service',
};

function lockedError(node: NodeRecord): NodeLockedError {
  return new NodeLockedError(`Node ${node.uuid} is locked by host ${node.reservation}, please retry after the current operation is completed.`);
}

function checkArguments(verb: string, event: UserEvent, req: ProvisionRequest, minor: number): void {
  if (req.configdrive !== undefined && !['deploy', 'rebuild'].includes(event)) {
    throw new InvalidParameterValueError(`Adding a config drive is only supported when setting provision state to active or rebuild. Requested: ${verb}`);
  }
  if (req.configdrive !== undefined && event === 'rebuild' && minor < 35) {
    throw new NotAcceptableError('A config drive on rebuild requires API version 1.35 or later.');
  }
  if (req.cleanSteps !== undefined && event !== 'clean') {
    throw new InvalidParameterValueError(`"clean_steps" is only valid when setting target provision state to clean`);
  }
  if (event === 'clean') {
    if (req.cleanSteps === undefined) throw new MissingParameterValueError('"clean_steps" is required when setting target provision state to clean');
    checkSteps(req.cleanSteps, 'clean_steps', false);
  }
  if (req.deploySteps !== undefined) {
    if (minor < 69) throw new NotAcceptableError('"deploy_steps" requires API version 1.69 or later.');
    if (!['deploy', 'rebuild'].includes(event)) throw new InvalidParameterValueError('"deploy_steps" is only valid when setting target provision state to active or rebuild');
    checkSteps(req.deploySteps, 'deploy_steps', true);
  }
  if (req.serviceSteps !== undefined && event !== 'service') throw new InvalidParameterValueError('"service_steps" is only valid with the service verb');
  if (event === 'service') {
    if (req.serviceSteps === undefined) throw new MissingParameterValueError('"service_steps" is required when setting target provision state to service');
    checkSteps(req.serviceSteps, 'service_steps', false);
  }
  if (req.rescuePassword !== undefined && event !== 'rescue') {
    throw new InvalidParameterValueError('"rescue_password" is only valid when setting target provision state to rescue');
  }
  if (event === 'rescue' && (typeof req.rescuePassword !== 'string' || req.rescuePassword.trim() === '')) {
    throw new MissingParameterValueError('A non-empty "rescue_password" is required when setting target provision state to rescue');
  }
  if (req.configdrive !== undefined && !(typeof req.configdrive === 'string' || (minor >= 56 && isDict(req.configdrive)))) {
    throw new InvalidParameterValueError('"configdrive" must be a base64-encoded gzipped ISO, a URL, or (from 1.56) a JSON object.');
  }
  // Checked here, not when the agent is about to write it: a malformed drive is refused, never stored.
  if (isDict(req.configdrive)) checkConfigDrive(req.configdrive);
}

const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkSteps(steps: unknown, name: string, needPriority: boolean): void {
  if (!Array.isArray(steps)) throw new InvalidParameterValueError(`"${name}" must be a list of step objects`);
  for (const s of steps) {
    if (!isDict(s) || typeof s.interface !== 'string' || typeof s.step !== 'string') {
      throw new InvalidParameterValueError(`Each of "${name}" must be an object with string "interface" and "step"; got ${JSON.stringify(s)}`);
    }
    if (s.args !== undefined && !isDict(s.args)) throw new InvalidParameterValueError(`"args" of step ${s.step} must be an object`);
    if (needPriority && (!Number.isInteger(s.priority) || (s.priority as number) < 0)) {
      throw new InvalidParameterValueError(`Step ${s.step} of "${name}" needs a non-negative integer "priority"`);
    }
  }
}

async function checkDriver(ctx: ConductorContext, node: NodeRecord, event: UserEvent, minor: number): Promise<void> {
  const kinds = VALIDATED_KINDS[event];
  if (!kinds) return;
  const report = await validateNode(ctx, node, minor);
  for (const kind of kinds) {
    const r = report[kind];
    if (r && r.result === false) {
      if (r.reason?.includes('does not support')) throw new UnsupportedDriverExtensionError(r.reason);
      throw new InvalidParameterValueError(kind === 'power' || kind === 'deploy' || kind === 'boot'
        ? `Failed to validate deploy or power info for node ${node.uuid}: ${r.reason}` : `Failed to validate ${kind} for node ${node.uuid}: ${r.reason}`);
    }
  }
}

/** PUT /v1/nodes/{node}/states/provision. Resolves once the node has entered its new state (API answers 202). */
export async function changeProvisionState(ctx: ConductorContext, node: NodeRecord, req: ProvisionRequest, minor: number): Promise<void> {
  const verb = VERBS[req.target];
  const notAllowed = () => new InvalidStateRequestedError(
    `The requested action "${req.target}" can not be performed on node "${node.uuid}" while it is in state "${node.provisionState}".`);
  if (!verb) throw notAllowed();
  if (verb.since > minor) throw new NotAcceptableError(`The "${req.target}" verb requires API version 1.${verb.since} or later.`);
  const event = verb.event;
  if (['deploy', 'rebuild'].includes(event) && node.maintenance) {
    throw new InvalidStateRequestedError(`The node ${node.uuid} is in maintenance mode and can not be deployed or rebuilt.`);
  }
  if (event === 'abort' && (ABORTABLE_SINCE[node.provisionState as ProvisionState] ?? 0) > minor) throw notAllowed();
  if (!nextState(node.provisionState, event, node.targetProvisionState)) {
    if (node.reservation) throw lockedError(node);
    throw notAllowed();
  }
  checkArguments(req.target, event, req, minor);
  if (node.protected && ['rebuild', 'delete'].includes(event)) {
    throw new NodeProtectedError(`Node ${node.uuid} is protected and cannot be undeployed, rebuilt or deleted`);
  }
  await checkDriver(ctx, node, event, minor);

  await acquireNode(ctx, node, `${req.target} node`, async (task) => {
    // Re-check under the lock: the state may have moved since we read it.
    if (!nextState(task.node.provisionState, event, task.node.targetProvisionState)) throw notAllowed();
    const extra: Partial<NodeRecord> = { lastError: null };
    if (event === 'deploy' || event === 'rebuild') {
      extra.instanceInfo = { ...task.node.instanceInfo, ...(req.configdrive !== undefined ? { configdrive: req.configdrive } : {}) };
      extra.driverInternalInfo = { ...task.node.driverInternalInfo, user_deploy_steps: req.deploySteps ?? [] };
    }
    if (event === 'clean') extra.driverInternalInfo = { ...task.node.driverInternalInfo, clean_steps: req.cleanSteps };
    if (event === 'service') extra.driverInternalInfo = { ...task.node.driverInternalInfo, service_steps: req.serviceSteps };
    if (event === 'rescue') extra.instanceInfo = { ...task.node.instanceInfo, rescue_password: req.rescuePassword };
    if (event === 'provide' || event === 'manage') extra.fault = task.node.fault === 'clean failure' ? null : task.node.fault;
    if (event === 'abort') extra.lastError = `By request, the ${ABORTED[task.node.provisionState] ?? 'current'} operation was aborted`;
    const entered = await task.fire(event, extra);
    const flow = flowFor(event, entered.provisionState);
    if (flow) task.spawnAfter(flow);
  });
}

/** PUT /v1/nodes/{node}/states/power. */
export async function changePowerState(ctx: ConductorContext, node: NodeRecord, target: string, timeoutS: number | undefined, minor: number): Promise<void> {
  if (!(POWER_TARGETS as readonly string[]).includes(target)) {
    throw new InvalidParameterValueError(`Invalid power state "${target}"; valid targets are: ${POWER_TARGETS.join(', ')}.`);
  }
  if (target.startsWith('soft') && minor < 27) throw new NotAcceptableError(`"${target}" requires API version 1.27 or later.`);
  if (timeoutS !== undefined && (!Number.isInteger(timeoutS) || timeoutS < 1)) {
    throw new InvalidParameterValueError(`The timeout must be a positive integer number of seconds, got ${JSON.stringify(timeoutS)}.`);
  }
  await checkDriverPower(ctx, node, minor);
  await acquireNode(ctx, node, `power ${target}`, async (task) => {
    await task.save({ targetPowerState: target === 'rebooting' || target === 'soft rebooting' ? 'power on' : target.replace('soft ', ''), lastError: null });
    task.spawnAfter((t) => runPowerChange(t, target as PowerTarget, timeoutS));
  });
}

async function checkDriverPower(ctx: ConductorContext, node: NodeRecord, minor: number): Promise<void> {
  const report = await validateNode(ctx, node, minor);
  const r = report.power;
  if (r && r.result === false) throw new InvalidParameterValueError(`Failed to validate power driver interface for node ${node.uuid}: ${r.reason}`);
}

async function runPowerChange(task: Task, target: PowerTarget, timeoutS: number | undefined): Promise<void> {
  const call = { node: task.node };
  const defaultTimeout = target.startsWith('soft') ? 600 : task.ctx.config.powerActionTimeout;
  try {
    if (target !== 'power off' && target !== 'soft power off') await reapplyBootDevice(task);
    await task.driver.power().setPowerState(call, target, { timeoutS: timeoutS ?? defaultTimeout });
    const state = await task.driver.power().getPowerState(call);
    await task.save({ powerState: state, targetPowerState: null });
  } catch (err) {
    // Like Ironic's node_power_action: the failure is recorded, the provision state left alone (a failed
    // power off in `wait call-back` must not fail the deploy).
    await task.save({ targetPowerState: null });
    await task.fail(`Failed to change power state to '${target}' for node ${task.node.uuid}: ${(err as Error).message}`, null);
  }
}

const BOOT_DEVICES: readonly BootDevice[] = ['pxe', 'disk', 'cdrom', 'bios', 'safe', 'wanboot', 'iscsiboot', 'floppy', 'uefihttp'];

/** PUT /management/boot_device: done within the request, holding the lock. */
export async function setBootDevice(ctx: ConductorContext, node: NodeRecord, device: string, persistent: boolean): Promise<void> {
  if (!(BOOT_DEVICES as readonly string[]).includes(device)) {
    throw new InvalidParameterValueError(`Invalid boot device ${device}, valid devices are: ${BOOT_DEVICES.join(', ')}.`);
  }
  await acquireNode(ctx, node, 'setting boot device', async (task) => {
    const mgmt = task.driver.management();
    const supported = await mgmt.supportedBootDevices({ node: task.node });
    if (!supported.includes(device as BootDevice)) {
      throw new InvalidParameterValueError(`Invalid boot device ${device}, valid devices are: ${supported.join(', ')}.`);
    }
    await mgmt.setBootDevice({ node: task.node }, device as BootDevice, { persistent });
    await rememberBootDevice(task, device as BootDevice, persistent);
  });
}

export async function getBootDevice(ctx: ConductorContext, node: NodeRecord): Promise<{ boot_device: string | null; persistent: boolean | null }> {
  return acquireNode(ctx, node, 'reading boot device', async (task) => {
    const r = await task.driver.management().getBootDevice({ node: task.node });
    return { boot_device: r.bootDevice, persistent: r.persistent };
  });
}

export async function supportedBootDevices(ctx: ConductorContext, node: NodeRecord): Promise<string[]> {
  return acquireNode(ctx, node, 'listing boot devices', (task) => task.driver.management().supportedBootDevices({ node: task.node }));
}

export async function injectNmi(ctx: ConductorContext, node: NodeRecord): Promise<void> {
  await acquireNode(ctx, node, 'injecting NMI', async (task) => {
    const mgmt = task.driver.management();
    if (!mgmt.injectNmi) throw new UnsupportedDriverExtensionError(`Driver ${node.driver} does not support injecting an NMI.`);
    await mgmt.injectNmi({ node: task.node });
  });
}

/** PUT/DELETE /maintenance. Allowed while the node is locked: maintenance is how operators stop a node. */
export async function setMaintenance(ctx: ConductorContext, node: NodeRecord, on: boolean, reason: string | null): Promise<void> {
  const changes: Partial<NodeRecord> = on ? { maintenance: true, maintenanceReason: reason } : { maintenance: false, maintenanceReason: null, fault: null };
  await ctx.tables.nodes.update(node.id, { ...changes, updatedAt: nowTimestamp() });
  log.info(on ? 'maintenance set' : 'maintenance cleared', { node: node.uuid });
}
