import { describe, expect, it } from 'vitest';
import { InvalidParameterValueError } from '../../common/errors.js';
import { testNode } from '../contract/test-node.js';
import { noop, NoopManagement, unsupported } from './noop-interfaces.js';

describe('noop interfaces', () => {
  it('noop management accepts boot devices and never claims to know the current one', async () => {
    const node = testNode();
    expect(noop('management')).toBe(NoopManagement);
    await NoopManagement.setBootDevice({ node }, 'pxe', { persistent: true });
    expect(await NoopManagement.getBootDevice({ node })).toEqual({ bootDevice: null, persistent: null });
    expect(await NoopManagement.supportedBootDevices({ node })).toEqual(['pxe', 'disk', 'cdrom', 'bios', 'safe']);
    await expect(NoopManagement.setBootDevice({ node }, 'wanboot')).rejects.toBeInstanceOf(InvalidParameterValueError);
  });

  it('keeps the declaration-only placeholders', () => {
    expect(noop('network')).toMatchObject({ kind: 'network', name: 'noop' });
    expect(unsupported('raid')).toMatchObject({ kind: 'raid', name: 'no-raid', unsupported: true });
  });
});
