// What a Redfish BMC remembers across requests and restarts, in BMC_DIR/redfish.json: boot override, boot
// mode, indicator LED, the inserted virtual media. The lab firmware reads the boot mode and the virtual media
// from here (boot-mode, virtual-media.json are written beside it for that). Fault settings live in
// BMC_DIR/faults.json, re-read on every request, so a test can make a running BMC slow or drop connections.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { readJson, writeJsonAtomic } from '../state.js';

export type BootTarget = 'None' | 'Pxe' | 'Hdd' | 'Cd' | 'BiosSetup';
export type BootEnabled = 'Disabled' | 'Once' | 'Continuous';
export type BootModeName = 'UEFI' | 'Legacy';
export type IndicatorLed = 'Off' | 'Lit' | 'Blinking';

export interface VirtualMediaState {
  readonly image: string;
  readonly imageName: string;
  readonly writeProtected: boolean;
  readonly insertedAt: string;
}

export interface BmcSettings {
  bootTarget: BootTarget;
  bootEnabled: BootEnabled;
  bootMode: BootModeName;
  indicatorLed: IndicatorLed;
  assetTag: string;
  virtualMedia: VirtualMediaState | null;
  /** SecureBootEnable (only served when the BMC offers secure boot). */
  secureBoot: boolean;
}

/** Fault injection: slow answers and dropped connections. */
export interface BmcFaults {
  /** Every answer waits this long first. */
  readonly delayMs?: number;
  /** Drop this many of the next requests (close the connection without an answer); -1 drops all. */
  readonly dropRequests?: number;
}

/** The virtual media as the firmware reads it (BMC_DIR/virtual-media.json). */
export const VIRTUAL_MEDIA_FILE = 'virtual-media.json';
/** `uefi` or `bios`: the boot mode the firmware boots in (BMC_DIR/boot-mode). */
export const BOOT_MODE_FILE = 'boot-mode';

export class SettingsStore {
  readonly #dir: string;
  #value: BmcSettings;

  constructor(dir: string, defaults: BmcSettings) {
    this.#dir = dir;
    this.#value = { ...defaults, ...(readJson<Partial<BmcSettings>>(join(dir, 'redfish.json')) ?? {}) };
    this.#mirror();
  }

  get(): Readonly<BmcSettings> {
    return this.#value;
  }

  update(change: Partial<BmcSettings>): Readonly<BmcSettings> {
    this.#value = { ...this.#value, ...change };
    writeJsonAtomic(join(this.#dir, 'redfish.json'), this.#value);
    this.#mirror();
    return this.#value;
  }

  #mirror(): void {
    writeJsonAtomic(join(this.#dir, BOOT_MODE_FILE), this.#value.bootMode === 'UEFI' ? 'uefi' : 'bios');
    const vm = join(this.#dir, VIRTUAL_MEDIA_FILE);
    if (this.#value.virtualMedia) writeJsonAtomic(vm, this.#value.virtualMedia);
    else rmSync(vm, { force: true });
  }

  faults(): BmcFaults {
    return readJson<BmcFaults>(join(this.#dir, 'faults.json')) ?? {};
  }

  setFaults(f: BmcFaults): void {
    writeBmcFaults(this.#dir, f);
  }
}

/** Sets the faults of the (running) BMC whose directory is `dir`; `{}` clears them. */
export function writeBmcFaults(dir: string, f: BmcFaults): void {
  writeJsonAtomic(join(dir, 'faults.json'), f);
}
