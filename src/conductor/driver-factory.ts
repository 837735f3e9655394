// Composes a node's driver from its hardware type and the interface names stored on the node.
import { UnsupportedDriverExtensionError, InvalidParameterValueError } from '../common/errors.js';
import type { NodeRecord } from '../db/records.js';
import { findHardwareType, findInterface, type HardwareType } from '../drivers/hardware-types.js';
import type {
  BootInterface, DeployInterface, DriverInterfaces, HardwareInterface, InspectInterface, InterfaceKind, ManagementInterface,
  PowerInterface, RescueInterface,
} from '../drivers/interfaces.js';

/** The node's interfaces; each accessor throws UnsupportedDriverExtensionError when its kind cannot act. */
export interface ComposedDriver extends DriverInterfaces {
  readonly type: HardwareType;
  get(kind: InterfaceKind): HardwareInterface;
  inspect(): InspectInterface;
  rescue(): RescueInterface;
}

/** What each kind must be able to do, as the method an acting implementation has (placeholders have none). */
const ACTS = {
  power: 'getPowerState', management: 'setBootDevice', boot: 'prepareRamdisk', deploy: 'executeStep',
  inspect: 'inspect', rescue: 'rescue',
} as const;
const WHAT = { power: 'power control', management: 'management', boot: 'booting', deploy: 'deployment', inspect: 'inspection', rescue: 'rescue' };

function acting<K extends keyof typeof ACTS>(i: HardwareInterface, kind: K): boolean {
  return typeof (i as unknown as Record<string, unknown>)[ACTS[kind]] === 'function';
}

export function composeDriver(node: NodeRecord, enabled: readonly string[]): ComposedDriver {
  const type = findHardwareType(node.driver, enabled);
  if (!type) throw new InvalidParameterValueError(`The driver ${node.driver} of node ${node.uuid} is not enabled on this conductor.`);
  const get = (kind: InterfaceKind) => {
    const name = (node as unknown as Record<string, string | null>)[`${kind}Interface`];
    const impl = name ? findInterface(type, kind, name) : type.interfaces[kind][0];
    if (!impl) throw new InvalidParameterValueError(`Interface ${name} of kind ${kind} is not available for driver ${node.driver}.`);
    return impl;
  };
  const able = <K extends keyof typeof ACTS>(kind: K) => {
    const impl = get(kind);
    if (!acting(impl, kind)) {
      throw new UnsupportedDriverExtensionError(`Driver ${node.driver} of node ${node.uuid} does not support ${WHAT[kind]} (interface ${impl.name}).`);
    }
    return impl;
  };
  return {
    type,
    get,
    power: () => able('power') as PowerInterface,
    management: () => able('management') as ManagementInterface,
    boot: () => able('boot') as BootInterface,
    deploy: () => able('deploy') as DeployInterface,
    inspect: () => able('inspect') as InspectInterface,
    rescue: () => able('rescue') as RescueInterface,
  };
}
