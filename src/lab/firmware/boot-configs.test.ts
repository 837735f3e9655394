// The firmware's readers of PXELINUX and GRUB configs and its iPXE interpreter, on configs written the way a
// provisioning service writes them (Ironic's layouts), plus the local-boot and failure cases.
import { describe, expect, it } from 'vitest';
import { grubPathToUrl, readGrubConfig } from './grub-config.js';
import { expand, runIpxe } from './ipxe-script.js';
import { readPxelinuxConfig } from './pxelinux-config.js';

const MAC = '02:a7:00:01:00:00';

describe('readPxelinuxConfig', () => {
  const deploy = [
    'default deploy', '', 'label deploy', 'kernel /tftpboot/1234/deploy_kernel',
    'append initrd=/tftpboot/1234/deploy_ramdisk selinux=0 ipa-api-url=http://10.0.0.1:6385', 'ipappend 2', '',
    'label boot_whole_disk', 'COM32 chain.c32', 'append mbr:0x1234',
  ].join('\n');
  it.each([
    ['the default label, initrd from append, BOOTIF from ipappend 2', deploy, {
      kind: 'kernel', kernel: '/tftpboot/1234/deploy_kernel', initrds: ['/tftpboot/1234/deploy_ramdisk'],
      cmdline: 'initrd=/tftpboot/1234/deploy_ramdisk selinux=0 ipa-api-url=http://10.0.0.1:6385 BOOTIF=01-02-a7-00-01-00-00',
    }],
    ['a chain.c32 label boots locally', deploy.replace('default deploy', 'default boot_whole_disk'), { kind: 'local' }],
    ['LOCALBOOT boots locally', 'DEFAULT local\nLABEL local\n  LOCALBOOT 0\n', { kind: 'local' }],
    ['INITRD keyword and LINUX', 'DEFAULT a\nLABEL a\nLINUX k\nINITRD r1,r2\nAPPEND x=1\n', { kind: 'kernel', kernel: 'k', initrds: ['r1', 'r2'], cmdline: 'x=1' }],
    ['ONTIMEOUT wins over DEFAULT', 'DEFAULT menu.c32\nONTIMEOUT b\nLABEL b\nKERNEL kb\n', { kind: 'kernel', kernel: 'kb', cmdline: '' }],
    ['a missing label fails', 'DEFAULT nope\nLABEL a\nKERNEL k\n', { kind: 'failed' }],
    ['no DEFAULT fails', 'LABEL a\nKERNEL k\n', { kind: 'failed' }],
  ])('%s', (_name, text, want) => {
    expect(readPxelinuxConfig(text, MAC)).toMatchObject(want);
  });
});

describe('readGrubConfig', () => {
  const cfg = [
    'set default=deploy', 'set timeout=5', 'menuentry "deploy" {',
    '    linuxefi /tftpboot/1234/deploy_kernel selinux=0 ipa-api-url=http://10.0.0.1:6385', '    initrdefi /tftpboot/1234/deploy_ramdisk', '}',
    "menuentry 'boot_local' --id local {", '    exit', '}',
  ].join('\n');
  it.each([
    ['the default entry by title', cfg, { kind: 'kernel', kernel: '/tftpboot/1234/deploy_kernel', initrds: ['/tftpboot/1234/deploy_ramdisk'], cmdline: 'selinux=0 ipa-api-url=http://10.0.0.1:6385' }],
    ['an entry that exits boots locally (by id)', cfg.replace('set default=deploy', 'set default=local'), { kind: 'local' }],
    ['by index', cfg.replace('set default=deploy', 'set default="1"'), { kind: 'local' }],
    ['linux + initrd', 'menuentry x {\nlinux (http,10.0.0.1:8080)/k a=b\ninitrd (http,10.0.0.1:8080)/r\n}\n', { kind: 'kernel', kernel: '(http,10.0.0.1:8080)/k', cmdline: 'a=b' }],
    ['a missing entry fails', 'set default=zz\nmenuentry x {\nlinux k\n}\n', { kind: 'failed' }],
  ])('%s', (_name, text, want) => {
    expect(readGrubConfig(text)).toMatchObject(want);
  });

  it.each([
    ['/tftpboot/k', 'tftp://10.0.0.1/tftpboot/k'],
    ['(tftp)/k', 'tftp://10.0.0.1/k'],
    ['(http,10.0.0.2:8080)/a/k', 'http://10.0.0.2:8080/a/k'],
    ['http://x/k', 'http://x/k'],
  ])('grub path %s', (path, url) => expect(grubPathToUrl(path, '10.0.0.1')).toBe(url));
});

describe('iPXE', () => {
  const env = { mac: MAC, ip: '10.0.0.150', netmask: '24', nextServer: '10.0.0.1', filename: 'http://10.0.0.1/boot.ipxe', platform: 'pcbios' as const };
  const KERNEL = Buffer.from('KERNEL-BYTES');
  function server(files: Record<string, string | Buffer>) {
    const asked: string[] = [];
    return {
      asked,
      fetch: async (url: string) => {
        asked.push(url);
        const f = files[url];
        if (f === undefined) throw new Error('404 Not Found');
        return Buffer.from(f);
      },
    };
  }

  it('expands nested variables and formats', () => {
    const vars = new Map([['netid', '0'], ['net0/mac', 'aa:bb:cc:dd:ee:ff'], ['mac', 'aa:bb:cc:dd:ee:ff']]);
    expect(expand('${net${netid}/mac:hexhyp}', vars)).toBe('aa-bb-cc-dd-ee-ff');
    expect(expand('x${unknown}y ${mac}', vars)).toBe('xy aa:bb:cc:dd:ee:ff');
  });

  it('follows a boot script that loops over NICs and chains the per-MAC script', async () => {
    const s = server({
      'http://10.0.0.1/boot.ipxe': [
        '#!ipxe', 'set netid:int32 -1', ':loop', 'inc netid || goto done', 'isset ${net${netid}/mac} || goto done',
        'chain pxelinux.cfg/${net${netid}/mac:hexhyp} || goto loop', ':done', 'echo no config', 'exit 1',
      ].join('\n'),
      'http://10.0.0.1/pxelinux.cfg/02-a7-00-01-00-00': [
        '#!ipxe', 'goto deploy', ':deploy', 'imgfree',
        'kernel --timeout 60000 http://10.0.0.1/1234/deploy_kernel ipa-api-url=http://10.0.0.1:6385 BOOTIF=${mac} initrd=deploy_ramdisk || goto retry',
        'initrd --name deploy_ramdisk http://10.0.0.1/1234/deploy_ramdisk || goto retry', 'boot', ':retry', 'echo retry', 'goto deploy',
      ].join('\n'),
      'http://10.0.0.1/1234/deploy_kernel': KERNEL,
      'http://10.0.0.1/1234/deploy_ramdisk': 'RAMDISK',
    });
    const target = await runIpxe('http://10.0.0.1/boot.ipxe', env, s.fetch);
    expect(target).toMatchObject({
      kind: 'kernel', kernel: { url: 'http://10.0.0.1/1234/deploy_kernel', size: KERNEL.length },
      initrds: [{ url: 'http://10.0.0.1/1234/deploy_ramdisk' }],
      cmdline: `ipa-api-url=http://10.0.0.1:6385 BOOTIF=${MAC} initrd=deploy_ramdisk`,
    });
  });

  it('an unknown MAC exits iPXE: the firmware boots the disk', async () => {
    const s = server({ 'http://10.0.0.1/boot.ipxe': '#!ipxe\nchain cfg/${mac:hexhyp} || goto none\n:none\nexit\n' });
    expect(await runIpxe('http://10.0.0.1/boot.ipxe', env, s.fetch)).toMatchObject({ kind: 'local' });
    expect(s.asked).toContain('http://10.0.0.1/cfg/02-a7-00-01-00-00');
  });

  it('sanboot is a local boot', async () => {
    const s = server({ 'http://10.0.0.1/boot.ipxe': '#!ipxe\nsanboot --no-describe --drive 0x80\n' });
    expect(await runIpxe('http://10.0.0.1/boot.ipxe', env, s.fetch)).toMatchObject({ kind: 'local' });
  });

  it.each([
    ['not a script', { 'http://10.0.0.1/boot.ipxe': 'hello' }],
    ['missing', {}],
    ['boot without a kernel', { 'http://10.0.0.1/boot.ipxe': '#!ipxe\nboot || shell\n' }],
    ['an endless loop', { 'http://10.0.0.1/boot.ipxe': '#!ipxe\n:a\ngoto a\n' }],
  ])('fails: %s', async (_name, files) => {
    expect(await runIpxe('http://10.0.0.1/boot.ipxe', env, server(files).fetch)).toMatchObject({ kind: 'failed' });
  });
});
