import { describe, expect, it } from 'vitest';
import type { BlockDevice } from './block-devices.js';
import { hintsOf, matchesHints, pickRootDevice, RootDeviceHintError } from './root-device.js';

const GIB = 2 ** 30;
const disk = (name: string, gib: number, extra: Partial<BlockDevice> = {}): BlockDevice => ({
  name, size: gib * GIB, model: null, vendor: null, serial: null, wwn: null, rotational: false,
  logical_sectors: 512, physical_sectors: 512, hctl: null, by_path: null, tran: null, ...extra,
});
const sda = disk('/dev/sda', 100, { model: 'Samsung SSD 870', vendor: 'ATA', serial: 'S1234', wwn: '0x5002538e', rotational: false });
const sdb = disk('/dev/sdb', 2000, { model: 'WDC WD20', vendor: 'ATA', serial: 'W999', rotational: true });
const tiny = disk('/dev/vda', 2);

describe('matchesHints', () => {
  it.each([
    [{ size: 100 }, true], [{ size: '>= 50' }, true], [{ size: '< 50' }, false], [{ size: '!= 100' }, false],
    [{ serial: 'S1234' }, true], [{ serial: 's== s1234' }, true], [{ serial: 'W999' }, false],
    [{ model: '<in> samsung' }, true], [{ model: '<or> WDC WD20 <or> Samsung SSD 870' }, true],
    [{ name: 'sda' }, true], [{ name: '/dev/sda' }, true], [{ name: 'sdb' }, false],
    [{ rotational: false }, true], [{ rotational: 'true' }, false], [{ wwn: '0x5002538e' }, true],
    [{ vendor: 'ata', size: 100 }, true], [{ vendor: 'ata', size: 101 }, false],
  ])('%j → %s', (hints, want) => {
    expect(matchesHints(sda, hints)).toBe(want);
  });
  it('refuses unknown hints and bad values', () => {
    expect(() => matchesHints(sda, { colour: 'red' })).toThrow(RootDeviceHintError);
    expect(() => matchesHints(sda, { size: 'big' })).toThrow(/size/);
    expect(() => matchesHints(sda, { rotational: 'maybe' })).toThrow(/rotational/);
  });
  it('never matches a value the disk does not have', () => {
    expect(matchesHints(tiny, { serial: 'x' })).toBe(false);
  });
});

describe('pickRootDevice', () => {
  it('takes the smallest disk of at least the minimum without hints', () => {
    expect(pickRootDevice([sdb, tiny, sda], null, 4 * GIB)).toEqual({ device: sda });
    expect(pickRootDevice([sdb, tiny, sda], null, 1 * GIB)).toEqual({ device: tiny });
  });
  it('takes the first disk matching the hints', () => {
    expect(pickRootDevice([sda, sdb], { rotational: true }, 4 * GIB)).toEqual({ device: sdb });
  });
  it('explains when nothing fits', () => {
    const r = pickRootDevice([tiny], null, 4 * GIB);
    expect('error' in r && r.error).toMatch(/no disk of at least 4294967296 bytes.*\/dev\/vda/);
    const h = pickRootDevice([sda], { serial: 'nope' }, 0);
    expect('error' in h && h.error).toMatch(/hints.*nope/);
  });
});

describe('hintsOf', () => {
  it('prefers instance_info over properties', () => {
    expect(hintsOf({ instance_info: { root_device: { name: 'sdb' } }, properties: { root_device: { name: 'sda' } } })).toEqual({ name: 'sdb' });
    expect(hintsOf({ instance_info: {}, properties: { root_device: { size: 10 } } })).toEqual({ size: 10 });
    expect(hintsOf({ properties: {} })).toBeNull();
    expect(hintsOf(null)).toBeNull();
  });
});
