// Composes a node's driver from its hardware type and the interface names stored on the node.
import { UnsupportedDriverExtensionError, InvalidParameterValueError } from '../common/errors.js';
import type { NodeRecord } from '../db/records.js';
import { findHardwareType, findInterface, type HardwareType } from '../drivers/hardware-types.js';
import type { HardwareInterface, InterfaceKind, ManagementInterface, PowerInterface } from '../drivers/interfaces.js';

export interface ComposedDriver {
  readonly type: HardwareType;
  get(kind: InterfaceKind): HardwareInterface;
  /** @throws UnsupportedDriverExtensionError when the node's power interface cannot act. */
  power(): PowerInterface;
  management(): ManagementInterface;
}

function isPower(i: HardwareInterface): i is PowerInterface {
  return typeof (i as PowerInterface).getPowerState === 'function';
}

function isManagement(i: HardwareInterface): i is ManagementInterface {
  return typeof (i as ManagementInterface).setBootDevice === 'function';
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
  return {
    type,
    get,
    power() {
      const p = get('power');
      if (!isPower(p)) throw new UnsupportedDriverExtensionError(`Driver ${node.driver} of node ${node.uuid} does not support power control (interface ${p.name}).`);
      return p;
    },
    management() {
      const m = get('management');
      if (!isManagement(m)) throw new UnsupportedDriverExtensionError(`Driver ${node.driver} of node ${node.uuid} does not support management (interface ${m.name}).`);
      return m;
    },
  };
}
