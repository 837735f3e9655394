// The virtual-media ISO built by the real genisoimage and read back with isoinfo, as the lab firmware and
// a BMC see it: kernel and initrd at the root, the command line in both loader configs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBootIso } from './boot-iso.js';

const dir = mkdtempSync(join(tmpdir(), 'anvil-boot-iso-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (iso: string, path: string) => execFileSync('isoinfo', ['-R', '-i', iso, '-x', path], { encoding: 'utf8' });

describe('buildBootIso', () => {
  it('holds /vmlinuz, /initrd and both loader configs with the command line', async () => {
    writeFileSync(join(dir, 'k'), 'kernel bytes');
    writeFileSync(join(dir, 'r'), 'ramdisk bytes');
    const iso = join(dir, 'out', 'boot.iso');
    const commandLine = 'nofb ipa-api-url=http://10.0.0.1:6385 ipa-global-request-id=req-1';
    await buildBootIso(iso, { kernel: join(dir, 'k'), ramdisk: join(dir, 'r'), commandLine, label: 'deploy' });
    expect(read(iso, '/vmlinuz')).toBe('kernel bytes');
    expect(read(iso, '/initrd')).toBe('ramdisk bytes');
    expect(read(iso, '/isolinux/isolinux.cfg')).toContain(`DEFAULT deploy`);
    expect(read(iso, '/isolinux/isolinux.cfg')).toContain(`APPEND initrd=/initrd ${commandLine}`);
    expect(read(iso, '/boot/grub/grub.cfg')).toContain(`linux /vmlinuz ${commandLine}`);
    expect(execFileSync('isoinfo', ['-d', '-i', iso], { encoding: 'utf8' })).toMatch(/Volume id: VMEDIA_BOOT_ISO/);
  });

  it('names a missing kernel clearly and leaves no half-built ISO', async () => {
    const iso = join(dir, 'bad', 'boot.iso');
    await expect(buildBootIso(iso, { kernel: join(dir, 'nope'), ramdisk: join(dir, 'r'), commandLine: '', label: 'deploy' }))
      .rejects.toThrow(/genisoimage could not build the boot ISO/);
    expect(() => execFileSync('ls', [iso], { stdio: 'ignore' })).toThrow();
  });
});
