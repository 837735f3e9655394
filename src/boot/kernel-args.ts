// The kernel command line of a deploy/rescue ramdisk: what tells the agent where the API is
// (`ipa-api-url=`), which request started it (`ipa-global-request-id=`) and which NIC it booted from
// (`BOOTIF=`, filled in by the loader because one node config serves every MAC of the node).

/** How the loader names the booting NIC on the command line. */
export type BootifStyle =
  /** PXELINUX appends `BOOTIF=01-aa-bb-…` itself (`ipappend 2`): nothing on the line. */
  | 'pxelinux'
  /** GRUB expands `$net_default_mac` (colon form); the agent strips the `01-` ARP type. */
  | 'grub'
  /** iPXE expands `${mac}` (colon form). */
  | 'ipxe';

export interface RamdiskKernelArgs {
  /** Where the agent looks itself up and heartbeats; no trailing slash. */
  readonly apiUrl: string;
  readonly requestId: string;
  /** Extra arguments (driver_info.kernel_append_params, else the kernelAppendParams setting). */
  readonly appendParams: string;
  readonly bootif: BootifStyle;
  /** `ipa-debug=1` for verbose agent logs. */
  readonly debug?: boolean;
  /** The name the initrd is loaded under, for EFI stub kernels (iPXE: `initrd=<name>` or the kernel panics). */
  readonly initrdName?: string;
}

const BOOTIF: Readonly<Record<BootifStyle, string | null>> = {
  pxelinux: null,
  grub: 'BOOTIF=01-$net_default_mac',
  ipxe: 'BOOTIF=${mac}',
};

/**
 * The append parameters of a node: driver_info `kernel_append_params` replaces the default, and may pull
 * it in with `%default%` (Ironic's rule).
 */
export function appendParams(nodeValue: unknown, defaults: string): string {
  if (typeof nodeValue !== 'string') return defaults.trim();
  return nodeValue.split('%default%').join(defaults).trim();
}

export function ramdiskCommandLine(a: RamdiskKernelArgs): string {
  const parts = [
    a.initrdName ? `initrd=${a.initrdName}` : '',
    a.appendParams,
    `ipa-api-url=${a.apiUrl}`,
    `ipa-global-request-id=${a.requestId}`,
    a.debug ? 'ipa-debug=1' : '',
    BOOTIF[a.bootif] ?? '',
  ];
  return parts.filter(Boolean).join(' ').replace(/\s+/g, ' ');
}
