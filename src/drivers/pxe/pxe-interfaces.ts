// The iPXE and PXE boot interfaces: the driver_info keys they read, their cheap validation (a port to boot
// from, usable kernel/ramdisk URLs), and the boot work itself, shared in network-boot.ts.
import { MissingParameterValueError } from '../../common/errors.js';
import { checkImageSource, IMAGE_URL_FIELDS } from '../../images/image-source.js';
import { defineInterface, type BootInterface, type PropertySpec, type ValidationContext } from '../interfaces.js';
import { cleanNodeBoot, prepareInstance, prepareRamdisk, type NetworkBootKind } from './network-boot.js';

export const BOOT_PROPERTIES: Readonly<Record<string, PropertySpec>> = {
  deploy_kernel: { description: 'URL (http://, https:// or file://) of the kernel of the deploy ramdisk. Required.', required: true },
  deploy_ramdisk: { description: 'URL (http://, https:// or file://) of the deploy ramdisk (initramfs) running the agent. Required.', required: true },
  rescue_kernel: { description: 'URL (http://, https:// or file://) of the rescue kernel. Needed for rescue only.' },
  rescue_ramdisk: { description: 'URL (http://, https:// or file://) of the rescue ramdisk. Needed for rescue only.' },
  kernel_append_params: { description: 'Extra kernel command-line arguments for the ramdisk. Optional.' },
};

export function requirePort({ node, portCount }: ValidationContext): void {
  if (portCount === 0) throw new MissingParameterValueError(`Node ${node.uuid} does not have any port associated with it`);
}

/** Checks the image URLs a boot interface loads: the ramdisk it boots, and any instance kernel/ramdisk. */
async function validateBoot(ctx: ValidationContext): Promise<void> {
  requirePort(ctx);
  await validateRamdiskImages(ctx);
}

/** The image checks of validateBoot without the port (boot interfaces that do not boot over the network). */
export async function validateRamdiskImages(ctx: ValidationContext): Promise<void> {
  const { driverInfo, instanceInfo } = ctx.node;
  const missing = ['deploy_kernel', 'deploy_ramdisk'].filter((k) => !driverInfo[k]);
  if (missing.length) {
    throw new MissingParameterValueError(`Node ${ctx.node.uuid} is missing the following driver_info: ${missing.join(', ')}`);
  }
  // Rescue and instance kernels are optional here; when given they must be usable URLs all the same.
  for (const key of IMAGE_URL_FIELDS.driverInfo) {
    if (driverInfo[key] !== undefined) await checkImageSource(driverInfo[key], `driver_info.${key}`, ctx.config);
  }
  for (const key of ['kernel', 'ramdisk'] as const) {
    if (instanceInfo[key] !== undefined) await checkImageSource(instanceInfo[key], `instance_info.${key}`, ctx.config);
  }
}

function networkBoot(kind: NetworkBootKind): BootInterface {
  return defineInterface<BootInterface>({
    kind: 'boot', name: kind, networkBoot: true, properties: BOOT_PROPERTIES, validate: validateBoot,
    prepareRamdisk: (task, purpose) => prepareRamdisk(kind, task, purpose),
    cleanUpRamdisk: cleanNodeBoot,
    prepareInstance: (task) => prepareInstance(kind, task),
    cleanUpInstance: cleanNodeBoot,
  });
}

export const IpxeBoot = networkBoot('ipxe');
export const PxeBoot = networkBoot('pxe');
