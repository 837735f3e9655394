// Optional capabilities of the fake management and BIOS interfaces: indicator LEDs kept in memory per node,
// virtual media and boot mode changes that only succeed (or fail when driver_info `fake_fail` names
// "management"), and a small, fixed set of BIOS settings with registry data. Nothing touches hardware.
import { InvalidParameterValueError, ManagementError } from '../../common/errors.js';
import type { NodeRecord } from '../../db/records.js';
import { failing } from './fake-interfaces.js';
import type {
  BiosSettingValue, BiosSettingsSupport, BootModeSupport, DriverCall, IndicatorInfo, IndicatorState, IndicatorSupport,
  VirtualMediaSupport,
} from '../interfaces.js';

function failIfAsked(node: NodeRecord): void {
  if (failing(node, 'management')) {
    throw new ManagementError(`Fake management failure for node ${node.uuid} (driver_info fake_fail).`);
  }
}

// The same two LEDs Ironic's fake management reports: a read-only chassis LED and a settable system LED.
const FAKE_LEDS: Readonly<Record<string, Readonly<Record<string, IndicatorInfo>>>> = {
  chassis: { 'led-0': { readonly: true, states: ['OFF', 'ON'] } },
  system: { led: { readonly: false, states: ['BLINKING', 'OFF', 'ON'] } },
};

/** node UUID -> "led@system" -> state; lost on restart like the rest of the fake hardware. */
const ledStates = new Map<string, Map<string, IndicatorState>>();

function ledInfo(component: string, indicator: string): IndicatorInfo {
  const comp = FAKE_LEDS[component];
  if (!comp) throw new InvalidParameterValueError(`Invalid component ${component} specified.`);
  const info = comp[indicator];
  if (!info) throw new InvalidParameterValueError(`Invalid indicator ${indicator} specified.`);
  return info;
}

export const FakeIndicators: IndicatorSupport = {
  async supported() {
    return structuredClone(FAKE_LEDS) as Record<string, Record<string, IndicatorInfo>>;
  },
  async getState({ node }: DriverCall, component: string, indicator: string) {
    ledInfo(component, indicator);
    // Ironic's fake reports ON for every LED until told otherwise.
    return ledStates.get(node.uuid)?.get(`${indicator}@${component}`) ?? 'ON';
  },
  async setState({ node }: DriverCall, component: string, indicator: string, state: IndicatorState) {
    const info = ledInfo(component, indicator);
    if (info.readonly) throw new InvalidParameterValueError(`Indicator ${indicator}@${component} is read-only.`);
    if (!info.states.includes(state)) throw new InvalidParameterValueError(`Invalid state ${state} specified.`);
    failIfAsked(node);
    let states = ledStates.get(node.uuid);
    if (!states) ledStates.set(node.uuid, (states = new Map()));
    states.set(`${indicator}@${component}`, state);
  },
};

export const FakeVirtualMedia: VirtualMediaSupport = {
  async attach({ node }: DriverCall) {
    failIfAsked(node);
  },
  async detach({ node }: DriverCall) {
    failIfAsked(node);
  },
};

export const FakeBootModes: BootModeSupport = {
  async setBootMode({ node }: DriverCall) {
    failIfAsked(node);
  },
  async setSecureBoot({ node }: DriverCall) {
    failIfAsked(node);
  },
};

// A handful of settings shaped like a Redfish attribute registry, enough to exercise list, detail and show.
const FAKE_BIOS: readonly BiosSettingValue[] = [
  { name: 'BootMode', value: 'Uefi', attributeType: 'Enumeration', allowableValues: ['Bios', 'Uefi'], readOnly: false, resetRequired: true },
  { name: 'ProcVirtualization', value: 'Enabled', attributeType: 'Enumeration', allowableValues: ['Enabled', 'Disabled'], readOnly: false },
  { name: 'NumLock', value: 'On', attributeType: 'Enumeration', allowableValues: ['On', 'Off'], readOnly: false },
  { name: 'BootDelaySeconds', value: '5', attributeType: 'Integer', lowerBound: 0, upperBound: 60, readOnly: false },
  { name: 'AssetTag', value: '', attributeType: 'String', minLength: 0, maxLength: 32, readOnly: false, unique: true },
  { name: 'SystemModel', value: 'Anvil Fake Server', attributeType: 'String', readOnly: true },
];

export const FakeBiosSettings: BiosSettingsSupport = {
  async read() {
    return FAKE_BIOS.map((s) => ({ ...s }));
  },
};
