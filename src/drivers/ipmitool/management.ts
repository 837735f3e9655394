// IpmitoolManagement: boot device and NMI through ipmitool. The boot device is written as raw boot flags
// so the persistent and EFI bits are exactly what the node asks for (see ipmitool-output.ts).
import { InvalidParameterValueError, ManagementError } from '../../common/errors.js';
import { nodeBootMode } from '../boot-mode.js';
import { defineInterface, type BootDevice, type DriverCall, type ManagementInterface } from '../interfaces.js';
import { defaultIpmitoolClient, IpmitoolError, type IpmitoolClient } from './ipmitool-client.js';
import { parseIpmiSettings } from './ipmitool-args.js';
import { DISABLE_BOOT_TIMEOUT_COMMAND, IPMI_BOOT_DEVICES, parseBootParam, setBootFlagsCommand, type IpmiBootDevice } from './ipmitool-output.js';
import { IPMI_PROPERTIES, validateIpmiInfo } from './ipmitool-properties.js';

export interface IpmitoolManagementOptions {
  readonly client?: IpmitoolClient;
}

function asManagementError(err: unknown, node: string, doing: string): Error {
  if (err instanceof IpmitoolError) return new ManagementError(`Failed to ${doing} for node ${node}: ${err.message}`, { cause: err });
  return err instanceof Error ? err : new ManagementError(String(err));
}

export function createIpmitoolManagement(options: IpmitoolManagementOptions = {}): ManagementInterface {
  const client = options.client ?? defaultIpmitoolClient;

  async function run(call: DriverCall, command: readonly string[], doing: string): Promise<string> {
    const settings = parseIpmiSettings(call.node.driverInfo);
    try {
      return (await client.run(settings, command)).stdout;
    } catch (err) {
      throw asManagementError(err, call.node.uuid, doing);
    }
  }

  return defineInterface({
    kind: 'management',
    name: 'ipmitool',
    properties: IPMI_PROPERTIES,
    validate: validateIpmiInfo,
    async supportedBootDevices(): Promise<BootDevice[]> {
      return [...IPMI_BOOT_DEVICES];
    },
    async setBootDevice(call: DriverCall, device: BootDevice, opts?: { persistent?: boolean }): Promise<void> {
      if (!(IPMI_BOOT_DEVICES as readonly string[]).includes(device)) {
        throw new InvalidParameterValueError(`Invalid boot device ${device}, valid devices are: ${IPMI_BOOT_DEVICES.join(', ')}.`);
      }
      const settings = parseIpmiSettings(call.node.driverInfo);
      if (settings.disableBootTimeout) await run(call, DISABLE_BOOT_TIMEOUT_COMMAND, 'disable the boot flag timeout');
      const flags = { persistent: opts?.persistent ?? false, efi: nodeBootMode(call.node) === 'uefi' };
      await run(call, setBootFlagsCommand(device as IpmiBootDevice, flags), `set boot device to ${device}`);
    },
    async getBootDevice(call: DriverCall): Promise<{ bootDevice: BootDevice | null; persistent: boolean | null }> {
      const flags = parseBootParam(await run(call, ['chassis', 'bootparam', 'get', '5'], 'get boot device'));
      // Unreadable output means "the BMC does not say", not a failure (Ironic answers None as well).
      return flags ? { bootDevice: flags.bootDevice, persistent: flags.persistent } : { bootDevice: null, persistent: null };
    },
    async injectNmi(call: DriverCall): Promise<void> {
      await run(call, ['chassis', 'power', 'diag'], 'inject NMI');
    },
  });
}
