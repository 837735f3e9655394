// The node lock and what is done while holding it. A task owns the node's `reservation` (this conductor's
// hostname) from acquisition until its work — including work handed to the background — has settled.
import { InvalidStateRequestedError, NodeLockedError, NodeNotFoundError } from '../common/errors.js';
import { log } from '../common/log.js';
import { scrubText } from '../common/secrets.js';
import { nowTimestamp } from '../db/schema.js';
import type { NodeRecord, PortRecord } from '../db/records.js';
import type { DriverEnvironment, DriverTask } from '../drivers/interfaces.js';
import { composeDriver, type ComposedDriver } from './driver-factory.js';
import { EVENT_TARGET, nextState } from './machine.js';
import { isFailure, isStable, USER_EVENTS, type ProvisionEvent, type UserEvent } from './states.js';
import type { ConductorContext } from './context.js';
import { recordHistory } from './history.js';

/** Where a context has no boot environment (unit tests): the config is there, boot files and DHCP fail loudly. */
function partialEnvironment(config: DriverEnvironment['config']): DriverEnvironment {
  const missing = (what: string): never => {
    throw new Error(`this conductor has no driver environment configured; cannot use ${what}`);
  };
  return {
    config,
    get bootFiles() { return missing('boot files'); },
    get dhcp() { return missing('DHCP'); },
  };
}

export class Task implements DriverTask {
  #node: NodeRecord;
  #background: ((task: Task) => Promise<void>) | undefined;
  #driver: ComposedDriver | undefined;
  #ports: readonly PortRecord[] | undefined;

  constructor(readonly ctx: ConductorContext, node: NodeRecord, readonly purpose: string) {
    this.#node = node;
  }

  get node(): NodeRecord {
    return this.#node;
  }

  /** The node's ports; workflows call loadPorts() first (most tasks never need them, so none are read up front). */
  get ports(): readonly PortRecord[] {
    if (!this.#ports) throw new Error(`ports of node ${this.#node.uuid} were not loaded for ${this.purpose}`);
    return this.#ports;
  }

  async loadPorts(): Promise<readonly PortRecord[]> {
    this.#ports = await this.ctx.tables.ports.list({ filters: [{ col: 'nodeUuid', op: 'eq', value: this.#node.uuid }] });
    return this.#ports;
  }

  get env(): DriverEnvironment {
    return this.ctx.boot?.env ?? partialEnvironment(this.ctx.config);
  }

  get driver(): ComposedDriver {
    this.#driver ??= composeDriver(this.#node, this.ctx.config.enabledHardwareTypes);
    return this.#driver;
  }

  /** Writes `changes` while we still hold the lock (a lost lock is a bug worth failing loudly on). */
  async save(changes: Partial<NodeRecord>): Promise<NodeRecord> {
    const saved = await this.ctx.tables.nodes.update(this.#node.id, { ...changes, updatedAt: nowTimestamp() },
      [{ col: 'reservation', op: 'eq', value: this.ctx.registry.hostname }]);
    if (!saved) throw new Error(`lost the lock on node ${this.#node.uuid} while ${this.purpose}`);
    this.#node = saved;
    return saved;
  }

  async reload(): Promise<NodeRecord> {
    const fresh = await this.ctx.tables.nodes.findBy('id', this.#node.id);
    if (!fresh) throw new NodeNotFoundError(`Node ${this.#node.uuid} could not be found.`);
    this.#node = fresh;
    return fresh;
  }

  /**
   * Moves the node along the state machine. User events set the target they head for; on arrival in a
   * stable or failure state the target is cleared — in the same write, so `--wait` clients never see a
   * transitional state without a target.
   */
  async fire(event: ProvisionEvent, extra: Partial<NodeRecord> = {}): Promise<NodeRecord> {
    const from = this.#node.provisionState;
    const to = nextState(from, event, this.#node.targetProvisionState);
    if (!to) {
      throw new InvalidStateRequestedError(`The requested action "${event}" can not be performed on node "${this.#node.uuid}" while it is in state "${from}".`);
    }
    let target = this.#node.targetProvisionState;
    if ((USER_EVENTS as readonly string[]).includes(event)) target = EVENT_TARGET[event as UserEvent] ?? target;
    if (isStable(to) || isFailure(to)) target = null;
    const saved = await this.save({ provisionState: to, targetProvisionState: target, provisionUpdatedAt: nowTimestamp(), ...extra });
    log.info('provision state changed', { node: saved.uuid, from, event, to, target });
    return saved;
  }

  /**
   * Records a failure on the node (message scrubbed of secrets) and fires `event` when the state allows;
   * `event` null records only, for actions outside the provision state machine (power changes).
   */
  async fail(message: string, event: ProvisionEvent | null = 'fail', fault?: string): Promise<void> {
    const text = scrubText(message);
    const extra: Partial<NodeRecord> = { lastError: text, ...(fault ? { fault } : {}) };
    if (event && nextState(this.#node.provisionState, event, this.#node.targetProvisionState)) await this.fire(event, extra);
    else await this.save(extra);
    await recordHistory(this.ctx, this.#node, { severity: 'ERROR', event: text, eventType: this.purpose });
    log.warn('node action failed', { node: this.#node.uuid, purpose: this.purpose, error: text });
  }

  /** Hands the lock to `work`, run in the background after the current request has been answered. */
  spawnAfter(work: (task: Task) => Promise<void>): void {
    this.#background = work;
  }

  takeBackground(): ((task: Task) => Promise<void>) | undefined {
    const w = this.#background;
    this.#background = undefined;
    return w;
  }
}

function lockedError(node: { uuid: string; reservation: string | null }): NodeLockedError {
  return new NodeLockedError(`Node ${node.uuid} is locked by host ${node.reservation}, please retry after the current operation is completed.`);
}

/** Takes the node's lock: one row update that only succeeds while nobody holds it (same SQL on both stores). */
async function lock(ctx: ConductorContext, node: NodeRecord): Promise<NodeRecord> {
  const held = await ctx.tables.nodes.update(node.id, { reservation: ctx.registry.hostname }, [{ col: 'reservation', op: 'isNull' }]);
  if (held) return held;
  const now = await ctx.tables.nodes.findBy('id', node.id);
  if (!now) throw new NodeNotFoundError(`Node ${node.uuid} could not be found.`);
  throw lockedError(now);
}

async function release(ctx: ConductorContext, node: NodeRecord): Promise<void> {
  await ctx.tables.nodes.update(node.id, { reservation: null }, [{ col: 'reservation', op: 'eq', value: ctx.registry.hostname }]);
}

/**
 * Runs `fn` holding the node's lock. If `fn` hands work to the background (task.spawnAfter), the lock passes
 * to that work and is released when it settles; otherwise it is released when `fn` returns or throws.
 */
export async function acquireNode<T>(ctx: ConductorContext, node: NodeRecord, purpose: string, fn: (task: Task) => Promise<T>): Promise<T> {
  if (node.reservation) throw lockedError(node);
  const task = new Task(ctx, await lock(ctx, node), purpose);
  let handedOff = false;
  try {
    const result = await fn(task);
    const background = task.takeBackground();
    if (background) {
      handedOff = true;
      ctx.work.run(async () => {
        try {
          await background(task);
        } catch (err) {
          // A workflow that throws instead of recording its failure still must not leave the node stuck.
          await task.reload();
          await task.fail(`${purpose} failed: ${(err as Error).message}`).catch((e: Error) => log.error('could not record failure', { error: e.message }));
        } finally {
          await release(ctx, task.node);
        }
      });
    }
    return result;
  } finally {
    if (!handedOff) await release(ctx, task.node);
  }
}
