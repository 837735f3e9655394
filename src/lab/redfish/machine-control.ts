// What the BMC does to its machine on a Redfish request: ComputerSystem.Reset by ResetType, the boot override
// (a one-time override is used up by the power-on it applies to), and the virtual CD. Protocol-free: app.ts
// validates the request and maps it here; the chassis back end (chassis.ts) does the power and boot device.
import { ChassisControl, type ChassisBootDevice } from './chassis.js';
import type { ResetType, PowerState } from './resources.js';
import type { BmcSettings, BootTarget, SettingsStore } from './settings.js';

const DEVICE: Readonly<Record<BootTarget, ChassisBootDevice>> = { None: 'default', Pxe: 'pxe', Hdd: 'disk', Cd: 'cdrom', BiosSetup: 'bios' };

export class MachineControl {
  readonly #chassis: ChassisControl;
  readonly #settings: SettingsStore;
  readonly #gracefulMs: number;
  // Requests that change the machine run one at a time, as a BMC's single chassis controller does.
  #queue: Promise<unknown> = Promise.resolve();

  constructor(dir: string, settings: SettingsStore, gracefulMs: number) {
    this.#chassis = new ChassisControl(dir);
    this.#settings = settings;
    this.#gracefulMs = gracefulMs;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(fn, fn);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async power(): Promise<PowerState> {
    return (await this.#chassis.isOn()) ? 'On' : 'Off';
  }

  /** Applies the boot override to the chassis' boot device (what the next power-on boots). */
  async #applyBoot(s: Readonly<BmcSettings>): Promise<void> {
    await this.#chassis.setBootDevice(s.bootEnabled === 'Disabled' ? 'default' : DEVICE[s.bootTarget]);
  }

  setBoot(change: Partial<Pick<BmcSettings, 'bootTarget' | 'bootEnabled' | 'bootMode'>>): Promise<void> {
    return this.#serial(async () => {
      const before = this.#settings.get();
      let next = { ...before, ...change };
      // Setting a target without saying how long means "once" (what most BMCs do and clients expect).
      if (change.bootTarget && change.bootTarget !== 'None' && change.bootEnabled === undefined && before.bootEnabled === 'Disabled') {
        next = { ...next, bootEnabled: 'Once' };
      }
      if (next.bootTarget === 'None') next = { ...next, bootEnabled: 'Disabled' };
      this.#settings.update(next);
      await this.#applyBoot(next);
    });
  }

  /** After a power-on the machine has read its boot device: a one-time override is spent. */
  async #afterPowerOn(): Promise<void> {
    const s = this.#settings.get();
    if (s.bootEnabled !== 'Once') return;
    const next = this.#settings.update({ bootEnabled: 'Disabled', bootTarget: 'None' });
    await this.#applyBoot(next);
  }

  async #on(): Promise<void> {
    if (await this.#chassis.isOn()) return;
    await this.#chassis.powerOn();
    await this.#afterPowerOn();
  }

  reset(type: ResetType): Promise<void> {
    return this.#serial(async () => {
      const on = await this.#chassis.isOn();
      switch (type) {
        case 'On':
        case 'ForceOn':
          return this.#on();
        case 'ForceOff':
          return this.#chassis.powerOff();
        case 'GracefulShutdown':
          return this.#chassis.gracefulOff(this.#gracefulMs);
        case 'ForceRestart':
          if (!on) return;
          await this.#chassis.powerOff();
          return this.#on();
        case 'GracefulRestart':
          if (!on) return;
          await this.#chassis.gracefulOff(this.#gracefulMs);
          return this.#on();
        case 'PowerCycle':
          if (on) await this.#chassis.powerOff();
          return this.#on();
        case 'PushPowerButton':
          // The front panel button: turns an off machine on, asks a running one to shut down.
          return on ? this.#chassis.shutdown() : this.#on();
        case 'Nmi':
          return;
      }
    });
  }

  insertMedia(image: string, writeProtected: boolean): Promise<void> {
    return this.#serial(async () => {
      const name = decodeURIComponent(new URL(image).pathname.split('/').pop() ?? '') || 'image.iso';
      this.#settings.update({ virtualMedia: { image, imageName: name, writeProtected, insertedAt: new Date().toISOString() } });
    });
  }

  ejectMedia(): Promise<void> {
    return this.#serial(async () => {
      this.#settings.update({ virtualMedia: null });
    });
  }

  /** Brings the chassis' boot device in line with the settings (at BMC start). */
  sync(): Promise<void> {
    return this.#serial(() => this.#applyBoot(this.#settings.get()));
  }
}
