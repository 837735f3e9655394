import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidParameterValueError, MissingParameterValueError } from '../../common/errors.js';
import { parseRedfishSettings } from './redfish-settings.js';

describe('parseRedfishSettings', () => {
  it.each<[string, string]>([
    ['10.0.0.5', 'https://10.0.0.5'],
    ['bmc.example.net:8443', 'https://bmc.example.net:8443'],
    ['http://127.0.0.1:8000', 'http://127.0.0.1:8000'],
    ['https://[fd00::5]:443/', 'https://[fd00::5]'],
  ])('address %s is %s', (address, origin) => {
    expect(parseRedfishSettings({ redfish_address: address }).origin).toBe(origin);
  });

  it('applies defaults: verify on, auth auto, no system id', () => {
    expect(parseRedfishSettings({ redfish_address: 'h' })).toEqual({
      origin: 'https://h', systemId: null, username: null, password: null, verifyCa: true, authType: 'auto',
    });
  });

  it.each<[unknown, boolean]>([[false, false], ['False', false], ['no', false], ['0', false], [true, true], ['true', true], ['', true]])(
    'redfish_verify_ca %j', (v, expected) => expect(parseRedfishSettings({ redfish_address: 'h', redfish_verify_ca: v }).verifyCa).toBe(expected));

  it('takes an existing CA file or directory for redfish_verify_ca, and refuses a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redfish-ca-'));
    const file = join(dir, 'ca.pem');
    writeFileSync(file, 'x');
    expect(parseRedfishSettings({ redfish_address: 'h', redfish_verify_ca: file }).verifyCa).toBe(file);
    expect(parseRedfishSettings({ redfish_address: 'h', redfish_verify_ca: dir }).verifyCa).toBe(dir);
    expect(() => parseRedfishSettings({ redfish_address: 'h', redfish_verify_ca: join(dir, 'nope.pem') })).toThrow(/redfish_verify_ca/);
  });

  it('accepts a system path or a bare member id', () => {
    expect(parseRedfishSettings({ redfish_address: 'h', redfish_system_id: '/redfish/v1/Systems/abc/' }).systemId).toBe('/redfish/v1/Systems/abc');
    expect(parseRedfishSettings({ redfish_address: 'h', redfish_system_id: 'node-1' }).systemId).toBe('/redfish/v1/Systems/node-1');
  });

  it.each<[Record<string, unknown>, typeof InvalidParameterValueError | typeof MissingParameterValueError, RegExp]>([
    [{}, MissingParameterValueError, /redfish_address/],
    [{ redfish_address: 'ftp://h' }, InvalidParameterValueError, /scheme/],
    [{ redfish_address: 'https://h/redfish/v1' }, InvalidParameterValueError, /no path|only the scheme/],
    [{ redfish_address: 'https://admin:pw@h' }, InvalidParameterValueError, /credentials/],
    [{ redfish_address: 'h', redfish_auth_type: 'digest' }, InvalidParameterValueError, /redfish_auth_type/],
    [{ redfish_address: 'h', redfish_system_id: '/redfish/v1/../x' }, InvalidParameterValueError, /redfish_system_id/],
    [{ redfish_address: 'h', redfish_system_id: '/other/1' }, InvalidParameterValueError, /redfish_system_id/],
  ])('refuses %j', (info, kind, message) => {
    const run = () => parseRedfishSettings(info);
    expect(run).toThrow(kind);
    expect(run).toThrow(message);
  });

  it('never names the password in an error', () => {
    const err = (() => {
      try {
        parseRedfishSettings({ redfish_address: 'https://admin:s3cret-pw@h' });
        return null;
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(InvalidParameterValueError);
    expect(err!.message).not.toContain('s3cret-pw');
  });
});
