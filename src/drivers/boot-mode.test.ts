import { describe, expect, it } from 'vitest';
import { nodeBootMode, parseCapabilities } from './boot-mode.js';
import { testNode } from './contract/test-node.js';

describe('parseCapabilities', () => {
  it.each<[unknown, Record<string, string>]>([
    ['boot_mode:uefi,foo:bar', { boot_mode: 'uefi', foo: 'bar' }],
    [' boot_mode : bios , x:1:2', { boot_mode: 'bios', x: '1:2' }],
    [{ boot_mode: 'uefi', n: 1 }, { boot_mode: 'uefi', n: '1' }],
    ['', {}], [null, {}], ['garbage', {}],
  ])('%j', (value, expected) => expect(parseCapabilities(value)).toEqual(expected));
});

describe('nodeBootMode', () => {
  it.each<[string, Parameters<typeof testNode>[0], 'uefi' | 'bios']>([
    ['defaults to uefi', {}, 'uefi'],
    ['capabilities string', { properties: { capabilities: 'boot_mode:bios' } }, 'bios'],
    ['capabilities dict', { properties: { capabilities: { boot_mode: 'bios' } } }, 'bios'],
    ['reported boot_mode when nothing is requested', { bootMode: 'bios' }, 'bios'],
    ['requested wins over reported', { bootMode: 'bios', properties: { capabilities: 'boot_mode:uefi' } }, 'uefi'],
    ['deploy_boot_mode wins over capabilities', { instanceInfo: { deploy_boot_mode: 'bios' }, properties: { capabilities: 'boot_mode:uefi' } }, 'bios'],
    ['secure boot implies uefi', { properties: { capabilities: 'boot_mode:bios,secure_boot:true' } }, 'uefi'],
    ['unknown values are ignored', { properties: { capabilities: 'boot_mode:legacy' }, bootMode: 'bios' }, 'bios'],
  ])('%s', (_name, overrides, expected) => expect(nodeBootMode(testNode(overrides))).toBe(expected));
});
