import { describe, expect, it } from 'vitest';
import { InvalidParameterValueError, MissingParameterValueError } from '../../common/errors.js';
import { buildInvocation, parseIpmiSettings, sessionArgs } from './ipmitool-args.js';

const BASE = { ipmi_address: '10.0.0.5' };
const TAIL = ['-R', '1', '-N', '1', '-v'];

describe('sessionArgs', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['minimal: lanplus, ADMINISTRATOR, NULL user', {}, ['-I', 'lanplus', '-H', '10.0.0.5', '-L', 'ADMINISTRATOR', ...TAIL]],
    ['port, user, password, cipher suite', { ipmi_port: '6230', ipmi_username: 'admin', ipmi_password: 's3cret!', ipmi_cipher_suite: 3 },
      ['-I', 'lanplus', '-H', '10.0.0.5', '-p', '6230', '-L', 'ADMINISTRATOR', '-U', 'admin', '-C', '3', ...TAIL, '-E']],
    ['IPMI 1.5 uses lan and ignores the cipher suite', { ipmi_protocol_version: '1.5', ipmi_cipher_suite: 17, ipmi_priv_level: 'OPERATOR' },
      ['-I', 'lan', '-H', '10.0.0.5', '-L', 'OPERATOR', ...TAIL]],
    ['single bridging', { ipmi_bridging: 'single', ipmi_target_channel: '0x06', ipmi_target_address: '0x72' },
      ['-I', 'lanplus', '-H', '10.0.0.5', '-L', 'ADMINISTRATOR', '-b', '0x06', '-t', '0x72', ...TAIL]],
    ['dual bridging with local address', {
      ipmi_bridging: 'dual', ipmi_transit_channel: '0', ipmi_transit_address: '0x82', ipmi_target_channel: '7',
      ipmi_target_address: '0x72', ipmi_local_address: '0x20',
    }, ['-I', 'lanplus', '-H', '10.0.0.5', '-L', 'ADMINISTRATOR', '-m', '0x20', '-B', '0', '-T', '0x82', '-b', '7', '-t', '0x72', ...TAIL]],
    ['bridging "no" ignores bridging keys', { ipmi_bridging: 'no', ipmi_target_channel: '1', ipmi_local_address: '0x20' },
      ['-I', 'lanplus', '-H', '10.0.0.5', '-L', 'ADMINISTRATOR', ...TAIL]],
    ['empty password means no -E (NULL password)', { ipmi_password: '' }, ['-I', 'lanplus', '-H', '10.0.0.5', '-L', 'ADMINISTRATOR', ...TAIL]],
  ])('%s', (_name, info, expected) => {
    expect(sessionArgs(parseIpmiSettings({ ...BASE, ...info }))).toEqual(expected);
  });

  it('takes ipmitool retransmission settings from the tuning', () => {
    expect(sessionArgs(parseIpmiSettings(BASE), { retries: 3, retransmitS: 2 })).toEqual(
      ['-I', 'lanplus', '-H', '10.0.0.5', '-L', 'ADMINISTRATOR', '-R', '3', '-N', '2', '-v']);
  });
});

describe('buildInvocation keeps secrets out of argv', () => {
  it('passes the password in IPMI_PASSWORD only', () => {
    const inv = buildInvocation('ipmitool', parseIpmiSettings({ ...BASE, ipmi_password: 'hunter22' }), ['power', 'status']);
    expect(inv.file).toBe('ipmitool');
    expect(inv.args.join(' ')).not.toContain('hunter22');
    expect(inv.args.slice(-3)).toEqual(['-E', 'power', 'status']);
    expect(inv.env).toEqual({ IPMI_PASSWORD: 'hunter22' });
  });

  it('passes the Kg key as octal escapes for the shell wrapper, then -K', () => {
    const inv = buildInvocation('/usr/bin/ipmitool', parseIpmiSettings({ ...BASE, ipmi_hex_kg_key: '41ff0a00' }), ['power', 'status']);
    expect(inv.file).toBe('/bin/sh');
    expect(inv.args.slice(0, 1)).toEqual(['-c']);
    expect(inv.args[3]).toBe('/usr/bin/ipmitool');
    expect(inv.args.slice(-3)).toEqual(['-K', 'power', 'status']);
    expect(inv.args.join(' ')).not.toMatch(/41ff0a/i);
    // trailing zero bytes are the BMC's own padding, so they are dropped
    expect(inv.env).toEqual({ ANVIL_IPMI_KG: '\\101\\377\\012' });
  });

  it('falls back to -y for a key with a zero byte inside (documented exposure)', () => {
    const inv = buildInvocation('ipmitool', parseIpmiSettings({ ...BASE, ipmi_hex_kg_key: '4100ff' }), ['power', 'status']);
    expect(inv.file).toBe('ipmitool');
    expect(inv.args).toContain('-y');
    expect(inv.env).toEqual({});
  });
});

describe('parseIpmiSettings', () => {
  it('applies defaults', () => {
    expect(parseIpmiSettings(BASE)).toEqual(expect.objectContaining({
      port: null, username: null, password: null, privLevel: 'ADMINISTRATOR', protocolVersion: '2.0', cipherSuite: null,
      kgKey: null, bridging: { kind: 'no' }, commandTimeoutS: 15, retryTimeoutS: 60, disableBootTimeout: true,
    }));
  });

  it.each<[Record<string, unknown>, boolean]>([
    [{ ipmi_disable_boot_timeout: false }, false], [{ ipmi_disable_boot_timeout: 'False' }, false],
    [{ ipmi_disable_boot_timeout: 'no' }, false], [{ ipmi_disable_boot_timeout: 'true' }, true], [{ ipmi_disable_boot_timeout: null }, true],
  ])('ipmi_disable_boot_timeout %j', (info, expected) => {
    expect(parseIpmiSettings({ ...BASE, ...info }).disableBootTimeout).toBe(expected);
  });

  it.each<[Record<string, unknown>, typeof MissingParameterValueError | typeof InvalidParameterValueError, RegExp]>([
    [{ ipmi_address: '' }, MissingParameterValueError, /ipmi_address/],
    [{ ipmi_port: 70000 }, InvalidParameterValueError, /IPMI port/],
    [{ ipmi_port: 'abc' }, InvalidParameterValueError, /IPMI port/],
    [{ ipmi_priv_level: 'ROOT' }, InvalidParameterValueError, /privilege level/],
    [{ ipmi_protocol_version: '3.0' }, InvalidParameterValueError, /protocol version/],
    [{ ipmi_cipher_suite: 'x' }, InvalidParameterValueError, /ipmi_cipher_suite/],
    [{ ipmi_bridging: 'triple' }, InvalidParameterValueError, /ipmi_bridging/],
    [{ ipmi_bridging: 'single', ipmi_target_channel: '1' }, MissingParameterValueError, /ipmi_target_address/],
    [{ ipmi_bridging: 'dual', ipmi_target_channel: '1', ipmi_target_address: '0x72' }, MissingParameterValueError, /ipmi_transit_channel/],
    [{ ipmi_bridging: 'single', ipmi_target_channel: '0x100', ipmi_target_address: '1' }, InvalidParameterValueError, /byte value/],
    [{ ipmi_hex_kg_key: 'abc' }, InvalidParameterValueError, /even number/],
    [{ ipmi_hex_kg_key: 'zz' }, InvalidParameterValueError, /hexadecimal/],
    [{ ipmi_hex_kg_key: '00'.repeat(21) }, InvalidParameterValueError, /at most 40/],
    [{ ipmi_command_timeout: 0 }, InvalidParameterValueError, /ipmi_command_timeout/],
    [{ ipmi_command_retry_timeout: '-1' }, InvalidParameterValueError, /ipmi_command_retry_timeout/],
    [{ ipmi_disable_boot_timeout: 'maybe' }, InvalidParameterValueError, /boolean/],
  ])('rejects %j', (info, cls, message) => {
    expect(() => parseIpmiSettings({ ...BASE, ...info })).toThrow(cls);
    expect(() => parseIpmiSettings({ ...BASE, ...info })).toThrow(message);
  });

  it('never echoes a malformed Kg key', () => {
    expect(() => parseIpmiSettings({ ...BASE, ipmi_hex_kg_key: 'secretkg' })).toThrow(/^(?!.*secretkg)/);
  });
});
