// The data every network-boot renderer takes: which node, which kernel/ramdisk (as the loader addresses
// them: TFTP paths for PXELINUX/GRUB, URLs for iPXE) and the kernel command line.

export interface RamdiskBoot {
  readonly nodeUuid: string;
  /** What the ramdisk is for (`deploy`, `rescue`…), written into the config as its label. */
  readonly label: string;
  readonly kernel: string;
  readonly ramdisk: string;
  readonly commandLine: string;
}

/** Configs are whole files: always end in exactly one newline. */
export function lines(...text: string[]): string {
  return text.join('\n').replace(/\n*$/, '\n');
}
