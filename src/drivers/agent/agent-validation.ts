// What the agent deploy interfaces read from a node and check before anything runs (cheap, in API requests).
import { MissingParameterValueError } from '../../common/errors.js';
import { checksumPolicy, checksumSpec } from '../../images/checksum.js';
import { parseDeclaredFormat } from '../../images/format.js';
import { checkImageSource } from '../../images/image-source.js';
import type { PropertySpec, ValidationContext } from '../interfaces.js';
import { requirePort } from '../pxe/pxe-interfaces.js';

export const AGENT_PROPERTIES: Readonly<Record<string, PropertySpec>> = {
  image_download_source: { description: '"http" (the agent downloads from the image URL) or "local" (the conductor caches the image and serves it). Optional.' },
  image_http_proxy: { description: 'Proxy URL the agent uses for http:// image downloads. Optional.' },
  image_https_proxy: { description: 'Proxy URL the agent uses for https:// image downloads. Optional.' },
  image_no_proxy: { description: 'Comma-separated hosts the agent reaches without the proxy. Optional.' },
  deploy_forces_oob_reboot: { description: 'Reboot through the BMC after deployment instead of asking the agent. Default false. Optional.' },
  agent_verify_ca: { description: 'true, false or a CA bundle path used to verify the agent\'s TLS certificate. Default true. Optional.' },
  force_persistent_boot_device: { description: '"Default", "Always" or "Never": when boot device changes are made persistent. Optional.' },
};

/**
 * The instance image: a usable URL, a well-formed checksum (bad hex, unknown algorithm or MD5 when disabled
 * are refused now, not after a download), and a declared disk format Anvil knows.
 */
export async function validateDirect(ctx: ValidationContext): Promise<void> {
  // Ironic's agent deploy checks its boot interface: ports only matter when that boots over the network.
  if (ctx.networkBoot) requirePort(ctx);
  const info = ctx.node.instanceInfo;
  const raw = info.image_source;
  if (raw === undefined || raw === null || raw === '') {
    throw new MissingParameterValueError(`Node ${ctx.node.uuid} is missing instance_info.image_source`);
  }
  const source = await checkImageSource(raw, 'instance_info.image_source', ctx.config);
  const checksum = checksumSpec(info, checksumPolicy(ctx.config));
  if (checksum.kind === 'file') {
    const field = info.image_os_hash_value !== undefined ? 'instance_info.image_os_hash_value' : 'instance_info.image_checksum';
    await checkImageSource(checksum.ref.url, field, ctx.config);
  }
  // A file:// image without a checksum is fine: the conductor computes its SHA-256 while caching it.
  if (source.kind === 'http' && checksum.kind === 'none') {
    throw new MissingParameterValueError(`image_source's "image_checksum", or "image_os_hash_algo" and "image_os_hash_value" must be provided in instance_info for node ${ctx.node.uuid}`);
  }
  parseDeclaredFormat(info.image_disk_format);
}

/** The ramdisk deploy boots what the node runs: over the network, it needs a port to boot from. */
export function validateRamdisk(ctx: ValidationContext): void {
  if (ctx.networkBoot) requirePort(ctx);
}
