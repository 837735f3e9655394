import { describe, expect, it } from 'vitest';
import { MASK, SecretBox, isSecretKey, maskSecrets, openSecrets, scrubText, sealSecrets } from './secrets.js';

describe('secret masking', () => {
  it.each([
    ['ipmi_password', true], ['redfish_password', true], ['IPMI_PASSWORD', true], ['agent_secret_token', true],
    ['rescue_password', true], ['configdrive', true], ['image_url', true], ['snmp_priv_key', true], ['ipmi_hex_kg_key', true],
    ['ipmi_address', false], ['ipmi_username', false], ['deploy_kernel', false], ['image_source', false],
  ])('%s secret=%s', (key, secret) => expect(isSecretKey(key)).toBe(secret));

  it('masks nested values and leaves the input alone', () => {
    const input = { ipmi_password: 'p', nested: { redfish_password: 'q', list: [{ token: 't' }] }, ipmi_address: 'a', empty_password: '' };
    expect(maskSecrets(input)).toEqual({ ipmi_password: MASK, nested: { redfish_password: MASK, list: [{ token: MASK }] }, ipmi_address: 'a', empty_password: '' });
    expect(input.ipmi_password).toBe('p');
  });

  it('scrubs secrets from free text and JSON log lines', () => {
    expect(scrubText('ipmitool failed: password=hunter2 host=x')).toBe('ipmitool failed: password=****** host=x');
    expect(scrubText('{"driver_info":{"ipmi_password":"hunter2","ipmi_address":"h"}}')).toBe('{"driver_info":{"ipmi_password":"******","ipmi_address":"h"}}');
    expect(scrubText('{"msg":"{\\"ipmi_password\\": \\"hunter2\\"}"}')).not.toContain('hunter2');
  });
});

describe('encryption at rest', () => {
  const box = new SecretBox(SecretBox.generateKey());

  it('round-trips secret values and leaves others readable', () => {
    const info = { ipmi_password: 'pass', ipmi_address: '10.0.0.1', nested: { token: { a: 1 } } };
    const sealed = sealSecrets(info, box) as Record<string, any>;
    expect(sealed.ipmi_address).toBe('10.0.0.1');
    expect(sealed.ipmi_password).toMatch(/^anvil-enc:v1:/);
    expect(JSON.stringify(sealed)).not.toContain('pass"');
    expect(openSecrets(sealed, box)).toEqual(info);
  });

  it('refuses to open with the wrong key or a tampered value', () => {
    const sealed = box.encrypt('pass');
    const other = new SecretBox(SecretBox.generateKey());
    expect(() => other.decrypt(sealed)).toThrow(/encrypted with key/);
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'B' : 'A') + sealed.slice(-1);
    expect(() => box.decrypt(tampered)).toThrow();
    // Without a key the ciphertext stays as stored (masked on output anyway) rather than failing every read.
    expect(openSecrets({ ipmi_password: sealed }, null)).toEqual({ ipmi_password: sealed });
  });

  it('treats look-alike ciphertext from clients as plain data', () => {
    const fake = 'anvil-enc:v1:deadbeef:x:y:z';
    const sealed = sealSecrets({ ipmi_password: fake, note: fake }, box) as Record<string, string>;
    expect(sealed.ipmi_password).not.toBe(fake);
    expect(sealed.note).toBe(fake);
    expect(openSecrets(sealed, box)).toEqual({ ipmi_password: fake, note: fake });
  });

  it('refuses keys of the wrong size', () => {
    expect(() => new SecretBox(Buffer.alloc(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
