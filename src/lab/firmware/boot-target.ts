// What a network boot ends in: a kernel (with its initrds and command line) to start, a hand-over to the
// local disk, or a failure; shared by the PXELINUX, GRUB and iPXE readers.

export interface LoadedFile {
  readonly url: string;
  readonly size: number;
  readonly sha256: string;
}

export type BootTarget =
  | { readonly kind: 'kernel'; readonly kernel: LoadedFile; readonly initrds: readonly LoadedFile[]; readonly cmdline: string }
  | { readonly kind: 'local'; readonly reason: string }
  | { readonly kind: 'failed'; readonly reason: string };

/** Fetches a file named by URL (tftp:// or http(s)://) and returns its bytes; throws when it cannot. */
export type Fetcher = (url: string) => Promise<Buffer>;

/** MAC as PXELINUX and GRUB name their per-client files: `01-aa-bb-cc-dd-ee-ff`. */
export function pxeMacName(mac: string): string {
  return `01-${mac.toLowerCase().replace(/:/g, '-')}`;
}
