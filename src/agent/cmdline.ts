// The kernel command line as the ramdisk agent reads it: `key=value` words (values may be double-quoted),
// the `ipa-*` parameters Ironic's boot configs write, and BOOTIF in PXELINUX's `01-aa-bb-…` form or as a
// plain MAC. Hand-written: the format is a few lines of the kernel's own convention, no library applies.

export type KernelParams = ReadonlyMap<string, string>;

/** Splits a command line into parameters; a bare word maps to '' and the last of repeated keys wins. */
export function parseCmdline(text: string): KernelParams {
  const params = new Map<string, string>();
  // A word is a run of non-space characters in which double quotes may protect spaces.
  for (const m of text.matchAll(/(?:[^\s"]+|"[^"]*")+/g)) {
    const word = m[0];
    const eq = word.indexOf('=');
    const key = (eq < 0 ? word : word.slice(0, eq)).replaceAll('"', '');
    const value = eq < 0 ? '' : word.slice(eq + 1).replaceAll('"', '');
    if (key) params.set(key, value);
  }
  return params;
}

/** `01-aa-bb-cc-dd-ee-ff` (ARP type 1 prefix), `aa-bb-…` or `aa:bb:…` → `aa:bb:cc:dd:ee:ff`; null if not a MAC. */
export function parseBootif(value: string | undefined): string | null {
  if (!value) return null;
  let v = value.trim().toLowerCase();
  if (/^01-([0-9a-f]{2}-){5}[0-9a-f]{2}$/.test(v)) v = v.slice(3);
  v = v.replaceAll('-', ':');
  return /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(v) ? v : null;
}

/** IPA's boolean parameters: `1`, `true`, `yes`, `on` (any case) are true; a bare word is true. */
export function flag(params: KernelParams, key: string): boolean | undefined {
  const v = params.get(key);
  if (v === undefined) return undefined;
  return v === '' || /^(1|true|yes|on)$/i.test(v);
}
