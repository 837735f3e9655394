// Placeholders for kinds a hardware type does not implement: `noop` accepts everything, `no-*` reports
// the kind as unsupported (Ironic's names, so existing node definitions keep working). The noop management
// interface is for hardware whose boot order an operator set by hand: it accepts boot device requests and
// does nothing, and never claims to know the current device.
import { InvalidParameterValueError } from '../../common/errors.js';
import {
  defineInterface, type BootDevice, type HardwareInterface, type InterfaceKind, type ManagementInterface,
} from '../interfaces.js';

const NOOP_BOOT_DEVICES: readonly BootDevice[] = ['pxe', 'disk', 'cdrom', 'bios', 'safe'];

export const NoopManagement: ManagementInterface = defineInterface({
  kind: 'management',
  name: 'noop',
  properties: {},
  async supportedBootDevices(): Promise<BootDevice[]> {
    return [...NOOP_BOOT_DEVICES];
  },
  async setBootDevice(_call, device: BootDevice): Promise<void> {
    if (!NOOP_BOOT_DEVICES.includes(device)) {
      throw new InvalidParameterValueError(`Invalid boot device ${device}, valid devices are: ${NOOP_BOOT_DEVICES.join(', ')}.`);
    }
  },
  async getBootDevice(): Promise<{ bootDevice: BootDevice | null; persistent: boolean | null }> {
    return { bootDevice: null, persistent: null };
  },
});

export function noop(kind: 'management'): ManagementInterface;
export function noop(kind: InterfaceKind): HardwareInterface;
export function noop(kind: InterfaceKind): HardwareInterface {
  return kind === 'management' ? NoopManagement : defineInterface({ kind, name: 'noop', properties: {} });
}

export const unsupported = (kind: InterfaceKind) => defineInterface({ kind, name: `no-${kind}`, properties: {}, unsupported: true });
