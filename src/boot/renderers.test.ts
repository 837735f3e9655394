// Golden files for every rendered boot file: a change to what firmware reads shows up as a fixture diff.
// Regenerate with UPDATE_GOLDEN=1 after checking the new output by hand.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeTag, renderDnsmasqHost, renderDnsmasqOptions } from './dnsmasq.js';
import { renderGrubFallback, renderGrubLocalBoot, renderGrubRamdisk } from './grub.js';
import { renderBootIpxe, renderIpxeLocalBoot, renderIpxeRamdisk } from './ipxe.js';
import { appendParams, ramdiskCommandLine } from './kernel-args.js';
import { grubMacName, hyphenatedMac, pxelinuxMacName } from './mac-names.js';
import { loaderView } from './loader-view.js';
import { renderPxelinuxLocalBoot, renderPxelinuxRamdisk } from './pxelinux.js';

const NODE = '1be26c0b-03f2-4d2e-ae87-c02d7f33c123';
const API = 'http://10.99.0.1:6385';
const HTTP = 'http://10.99.0.1:8088';
const args = (bootif: 'pxelinux' | 'grub' | 'ipxe', initrdName?: string) => ramdiskCommandLine({
  apiUrl: API, requestId: 'req-7f3e1c2a-5b1d-4e8f-9a6b-2c4d6e8f0a1b', appendParams: 'nofb nomodeset vga=normal console=ttyS0',
  bootif, ...(initrdName ? { initrdName } : {}),
});

const CASES: readonly [string, () => string][] = [
  ['pxelinux-deploy.cfg', () => renderPxelinuxRamdisk({
    nodeUuid: NODE, label: 'deploy', kernel: `${NODE}/deploy_kernel`, ramdisk: `${NODE}/deploy_ramdisk`, commandLine: args('pxelinux'),
  })],
  ['pxelinux-local.cfg', () => renderPxelinuxLocalBoot(NODE)],
  ['grub-rescue.cfg', () => renderGrubRamdisk({
    nodeUuid: NODE, label: 'rescue', kernel: `${NODE}/rescue_kernel`, ramdisk: `${NODE}/rescue_ramdisk`, commandLine: args('grub'),
  })],
  ['grub-local.cfg', () => renderGrubLocalBoot(NODE)],
  ['grub-fallback.cfg', () => renderGrubFallback()],
  ['ipxe-deploy.ipxe', () => renderIpxeRamdisk({
    nodeUuid: NODE, label: 'deploy', kernel: `${HTTP}/${NODE}/deploy_kernel`, ramdisk: `${HTTP}/${NODE}/deploy_ramdisk`,
    commandLine: args('ipxe', 'deploy_ramdisk'),
  })],
  ['ipxe-local.ipxe', () => renderIpxeLocalBoot(NODE)],
  ['boot.ipxe', () => renderBootIpxe(HTTP)],
  ['dnsmasq-host', () => renderDnsmasqHost('52:54:00:AB:CD:01', nodeTag(NODE, 'mi4x2c0'))],
  ['dnsmasq-host-withdrawn', () => renderDnsmasqHost('52-54-00-ab-cd-01', null)],
  ['dnsmasq-opts-bios-pxe', () => renderDnsmasqOptions({ nodeUuid: NODE, tag: nodeTag(NODE, 'mi4x2c0'), bootMode: 'bios', bootFile: 'pxelinux.0', tftpServer: '10.99.0.1' })],
  ['dnsmasq-opts-uefi-ipxe', () => renderDnsmasqOptions({
    nodeUuid: NODE, tag: nodeTag(NODE, 'mi4x2c1'), bootMode: 'uefi', bootFile: 'snponly.efi', ipxeScriptUrl: `${HTTP}/boot.ipxe`,
  })],
];

describe('boot file renderers (golden files)', () => {
  for (const [name, render] of CASES) {
    it(name, () => {
      const path = join(import.meta.dirname, '__fixtures__', name);
      const out = render();
      if (process.env.UPDATE_GOLDEN) writeFileSync(path, out);
      expect(out).toBe(readFileSync(path, 'utf8'));
    });
  }
});

describe('kernel command line', () => {
  it('tells the agent the API, the request and its NIC in each loader style', () => {
    expect(args('pxelinux')).toBe(`nofb nomodeset vga=normal console=ttyS0 ipa-api-url=${API} ipa-global-request-id=req-7f3e1c2a-5b1d-4e8f-9a6b-2c4d6e8f0a1b`);
    expect(args('grub')).toMatch(/ BOOTIF=01-\$net_default_mac$/);
    expect(args('ipxe', 'deploy_ramdisk')).toMatch(/^initrd=deploy_ramdisk .* BOOTIF=\$\{mac\}$/);
    expect(ramdiskCommandLine({ apiUrl: API, requestId: 'r', appendParams: '', bootif: 'ipxe', debug: true })).toBe(`ipa-api-url=${API} ipa-global-request-id=r ipa-debug=1 BOOTIF=\${mac}`);
  });

  it('driver_info kernel_append_params replaces the default, %default% pulls it in', () => {
    expect(appendParams(undefined, ' nofb vga=normal ')).toBe('nofb vga=normal');
    expect(appendParams('console=ttyS0', 'nofb')).toBe('console=ttyS0');
    expect(appendParams('%default% console=ttyS0', 'nofb')).toBe('nofb console=ttyS0');
  });
});

describe('MAC file names', () => {
  it.each([
    ['52:54:00:AB:CD:01', '52-54-00-ab-cd-01'],
    ['52-54-00-ab-cd-01', '52-54-00-ab-cd-01'],
    ['525400abcd01', '52-54-00-ab-cd-01'],
  ])('%s', (mac, dashed) => {
    expect(hyphenatedMac(mac)).toBe(dashed);
    expect(pxelinuxMacName(mac)).toBe(`01-${dashed}`);
    expect(grubMacName(mac)).toBe(`grub.cfg-01-${dashed}`);
  });

  it('refuses what is not an Ethernet MAC', () => {
    expect(() => hyphenatedMac('../../etc/passwd')).toThrow(/not an Ethernet MAC/);
    expect(() => hyphenatedMac('80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0a:0b:0c')).toThrow(/not an Ethernet MAC/);
  });
});

describe('loaderView: the rendered files as a loader reads them', () => {
  const fixture = (name: string) => readFileSync(join(import.meta.dirname, '__fixtures__', name), 'utf8');
  const MAC = '52:54:00:ab:cd:01';

  it('PXELINUX adds BOOTIF=01-<mac> through ipappend 2', () => {
    const view = loaderView('pxelinux', fixture('pxelinux-deploy.cfg'), MAC);
    expect(view).toEqual({
      kind: 'ramdisk', kernel: `${NODE}/deploy_kernel`, initrd: `${NODE}/deploy_ramdisk`,
      commandLine: expect.stringMatching(new RegExp(`^initrd=${NODE}/deploy_ramdisk .*ipa-api-url=${API} .*BOOTIF=01-52-54-00-ab-cd-01$`)),
    });
    expect(loaderView('pxelinux', fixture('pxelinux-local.cfg'), MAC)).toEqual({ kind: 'local' });
  });

  it('GRUB expands $net_default_mac', () => {
    const view = loaderView('grub', fixture('grub-rescue.cfg'), MAC);
    expect(view).toMatchObject({ kind: 'ramdisk', kernel: `/${NODE}/rescue_kernel`, initrd: `/${NODE}/rescue_ramdisk` });
    expect(view.kind === 'ramdisk' && view.commandLine).toMatch(/ipa-global-request-id=req-\S+ BOOTIF=01-52:54:00:ab:cd:01$/);
    expect(loaderView('grub', fixture('grub-local.cfg'), MAC)).toEqual({ kind: 'local' });
  });

  it('iPXE: boot.ipxe chains the per-MAC script; the node script boots with BOOTIF=<mac>', () => {
    expect(loaderView('ipxe', fixture('boot.ipxe'), MAC)).toEqual({ kind: 'chain', urls: [`${HTTP}/pxelinux.cfg/52-54-00-ab-cd-01`] });
    const view = loaderView('ipxe', fixture('ipxe-deploy.ipxe'), MAC);
    expect(view).toMatchObject({ kind: 'ramdisk', kernel: `${HTTP}/${NODE}/deploy_kernel`, initrd: `${HTTP}/${NODE}/deploy_ramdisk` });
    expect(view.kind === 'ramdisk' && view.commandLine).toMatch(/^initrd=deploy_ramdisk .* BOOTIF=52:54:00:ab:cd:01$/);
    expect(loaderView('ipxe', fixture('ipxe-local.ipxe'), MAC)).toEqual({ kind: 'local' });
  });
});
