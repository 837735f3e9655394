// Indicator LEDs of the node's system and its chassis through their IndicatorLED property (Lit, Blinking,
// Off). As in Ironic an indicator is named by its resource's UUID (its Id when it has none), so two LEDs of
// one node never share a name.
import { InvalidParameterValueError, ManagementError } from '../../common/errors.js';
import type { NodeRecord } from '../../db/records.js';
import type { DriverCall, IndicatorInfo, IndicatorState, IndicatorSupport } from '../interfaces.js';
import { driverFailure, isDict, linkOf, patchResource, readResource, readSystem, type Dict } from './redfish-system.js';

const managementFailure = (node: NodeRecord, doing: string, err: unknown) => driverFailure(ManagementError, node, doing, err);

const TO_IRONIC: Readonly<Record<string, IndicatorState>> = { Lit: 'ON', Blinking: 'BLINKING', Off: 'OFF' };
const TO_REDFISH: Readonly<Record<string, string>> = { ON: 'Lit', BLINKING: 'Blinking', OFF: 'Off' };
const SETTABLE: IndicatorInfo = { readonly: false, states: ['BLINKING', 'OFF', 'ON'] };

interface Led {
  readonly component: 'system' | 'chassis';
  readonly name: string;
  readonly path: string;
  readonly body: Dict;
  readonly etag: string | null;
}

const nameOf = (body: Dict, path: string) =>
  typeof body.UUID === 'string' && body.UUID ? body.UUID : typeof body.Id === 'string' ? body.Id : path.split('/').pop()!;

async function leds(node: NodeRecord): Promise<{ conn: Awaited<ReturnType<typeof readSystem>>['conn']; leds: Led[] }> {
  const view = await readSystem(node);
  const out: Led[] = [];
  if ('IndicatorLED' in view.body) out.push({ component: 'system', name: nameOf(view.body, view.path), path: view.path, body: view.body, etag: view.etag });
  const chassis = isDict(view.body.Links) && Array.isArray(view.body.Links.Chassis) ? view.body.Links.Chassis.map(linkOf) : [];
  for (const path of chassis) {
    if (!path) continue;
    const { body, etag } = await readResource(view.conn, path);
    if ('IndicatorLED' in body) out.push({ component: 'chassis', name: nameOf(body, path), path, body, etag });
  }
  return { conn: view.conn, leds: out };
}

function find(all: readonly Led[], component: string, indicator: string): Led {
  if (!all.some((l) => l.component === component)) throw new InvalidParameterValueError(`Invalid component ${component} specified.`);
  const led = all.find((l) => l.component === component && l.name === indicator);
  if (!led) throw new InvalidParameterValueError(`Invalid indicator ${indicator} specified.`);
  return led;
}

export const RedfishIndicators: IndicatorSupport = {
  async supported({ node }: DriverCall) {
    try {
      const out: Record<string, Record<string, IndicatorInfo>> = {};
      for (const led of (await leds(node)).leds) (out[led.component] ??= {})[led.name] = SETTABLE;
      return out;
    } catch (err) {
      throw managementFailure(node, 'list indicators', err);
    }
  },
  async getState({ node }: DriverCall, component: string, indicator: string) {
    try {
      const led = find((await leds(node)).leds, component, indicator);
      return TO_IRONIC[String(led.body.IndicatorLED)] ?? 'UNKNOWN';
    } catch (err) {
      throw managementFailure(node, `get indicator ${indicator}@${component}`, err);
    }
  },
  async setState({ node }: DriverCall, component: string, indicator: string, state: IndicatorState) {
    try {
      const { conn, leds: all } = await leds(node);
      const led = find(all, component, indicator);
      const value = TO_REDFISH[state];
      if (!value) throw new InvalidParameterValueError(`Invalid state ${state} specified.`);
      await patchResource(conn, led.path, { IndicatorLED: value }, led.etag);
    } catch (err) {
      throw managementFailure(node, `set indicator ${indicator}@${component}`, err);
    }
  },
};
