// The deploy ramdisk on a real (emulated) machine: `scripts/ramdisk/build.sh` output booted by
// qemu-system-x86_64 under TCG with a virtio NIC, nothing else. The kernel is started directly (-kernel/
// -initrd: the network boot chain is the VM deploy test's subject); DHCP comes from a dnsmasq on the VM
// network and the lookup lands on this test's HTTP server, which answers 404 ("not enrolled") so the agent
// keeps trying. Proves: /init finds the NIC named by BOOTIF, gets a lease, and the agent reads ipa-api-url
// and BOOTIF from the kernel command line and looks the machine up by that MAC. ~40 s (one VM, one core).
import { execSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeployRamdisk, type DeployRamdisk } from '../support/deploy-ramdisk.js';
import { createVmNetwork, randomVmMac, spawnGroup, stopGroup, waitForFile, type VmNetwork } from '../support/vm-network.js';

describe('deploy ramdisk boots to lookup', () => {
  let dir: string;
  let ramdisk: DeployRamdisk;
  let net: VmNetwork | undefined;
  let dnsmasq: ChildProcess | undefined;
  let qemu: ChildProcess | undefined;
  let server: Server | undefined;
  const lookups: { url: string; at: number }[] = [];
  let port = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anvil-ramdisk-it-'));
    ramdisk = await buildDeployRamdisk(join(dir, 'out'));
    net = createVmNetwork();
    const n = net;
    dnsmasq = spawnGroup('dnsmasq', ['--no-daemon', '--conf-file=/dev/null', '--port=0', `--interface=${n.hostIf}`,
      '--bind-interfaces', '--except-interface=lo', `--dhcp-range=${n.prefix}.100,${n.prefix}.150,255.255.255.0,1h`,
      `--dhcp-leasefile=${join(dir, 'leases')}`, '--log-facility=-']);
    server = createServer((req, res) => {
      lookups.push({ url: req.url ?? '', at: Date.now() });
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error_message: JSON.stringify({ faultstring: 'no node', code: 404 }) }));
    });
    await new Promise<void>((r) => server!.listen(0, n.hostIp, r));
    port = (server.address() as { port: number }).port;
  }, 600_000);

  afterAll(async () => {
    await stopGroup(qemu);
    await stopGroup(dnsmasq);
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    net?.destroy();
    if (dir && process.env.KEEP_VM_RUN !== '1') rmSync(dir, { recursive: true, force: true });
  });

  it('packs the drivers with their dependencies, node, the agent and its disk tools', () => {
    const files = execSync(`zstd -dc ${ramdisk.initramfs} | cpio -t --quiet`, { encoding: 'utf8', maxBuffer: 64 << 20 }).split('\n');
    for (const f of ['init', 'usr/bin/node', 'usr/lib/anvil/anvil-agent.mjs', 'bin/busybox', 'usr/bin/qemu-img',
      'usr/sbin/sgdisk', 'usr/sbin/partprobe', 'lib64/ld-linux-x86-64.so.2', 'etc/udhcpc.script']) {
      expect(files, f).toContain(f);
    }
    const order = execSync(`zstd -dc ${ramdisk.initramfs} | cpio -i --to-stdout --quiet lib/modules/load-order`, { encoding: 'utf8' })
      .trim().split('\n');
    for (const m of ['virtio_net.ko', 'virtio_blk.ko', 'e1000.ko', 'e1000e.ko', 'igb.ko', 'ixgbe.ko', 'ahci.ko',
      'nvme.ko', 'sd_mod.ko', 'usb-storage.ko', 'xhci-pci.ko']) expect(order, m).toContain(m);
    // dependencies first: insmod cannot resolve symbols of a module not loaded yet
    expect(order.indexOf('virtio_ring.ko')).toBeLessThan(order.indexOf('virtio_net.ko'));
    expect(order.indexOf('libata.ko')).toBeLessThan(order.indexOf('ahci.ko'));
    expect(order.indexOf('nvme-core.ko')).toBeLessThan(order.indexOf('nvme.ko'));
    expect(order.indexOf('usbcore.ko')).toBeLessThan(order.indexOf('usb-storage.ko'));
    const mib = (f: string) => (statSync(f).size / 2 ** 20).toFixed(1);
    console.log(`ramdisk: kernel ${mib(ramdisk.kernel)} MiB, initramfs ${mib(ramdisk.initramfs)} MiB`);
  });

  it('finds the BOOTIF NIC, gets a DHCP lease and looks itself up by that MAC', async () => {
    const mac = randomVmMac();
    const console_ = join(dir, 'console.log');
    // PXELINUX's BOOTIF form (ARP type 01, dashes), as pxelinux and Ironic's templates write it
    const bootif = `01-${mac.replace(/:/g, '-')}`;
    const t0 = Date.now();
    execSync(`ip -n ${net!.netns} tuntap add dev tap0 mode tap && ip -n ${net!.netns} link set tap0 master br0 && ip -n ${net!.netns} link set tap0 up`);
    qemu = spawnGroup('ip', ['netns', 'exec', net!.netns, 'qemu-system-x86_64', '-accel', 'tcg', '-machine', 'q35',
      '-m', '1024', '-smp', '1', '-display', 'none', '-no-reboot', '-nodefaults', '-serial', `file:${console_}`,
      '-kernel', ramdisk.kernel, '-initrd', ramdisk.initramfs,
      '-append', `console=ttyS0,115200 panic=-1 ipa-api-url=http://${net!.hostIp}:${port} BOOTIF=${bootif}`,
      '-netdev', 'tap,id=n0,ifname=tap0,script=no,downscript=no', '-device', `virtio-net-pci,netdev=n0,mac=${mac}`]);
    const alive = () => qemu!.exitCode === null;
    const bound = await waitForFile(console_, /ANVIL-RAMDISK dhcp-bound dev=(\S+) ip=(\S+) uptime=([\d.]+)/, 120_000, alive);
    expect(bound[2]).toMatch(new RegExp(`^${net!.prefix.replace(/\./g, '\\.')}\\.1[0-5]\\d/24$`));
    const end = Date.now() + 120_000;
    // the agent may ask for the API's versions (GET /) first, as IPA does
    const lookup = () => lookups.find((l) => l.url.startsWith('/v1/lookup'));
    while (!lookup() && Date.now() < end && alive()) await new Promise((r) => setTimeout(r, 200));
    expect(lookup(), `the agent never called lookup; requests: ${lookups.map((l) => l.url).join(' ')}`).toBeDefined();
    const url = new URL(lookup()!.url, 'http://x');
    expect(url.searchParams.get('addresses')?.split(',')).toContain(mac);
    const text = readFileSync(console_, 'latin1');
    const up = (what: string) => text.match(new RegExp(`ANVIL-RAMDISK ${what}.* uptime=([\\d.]+)`))?.[1];
    console.log(`ramdisk boot (TCG): qemu start -> lookup ${((lookup()!.at - t0) / 1000).toFixed(1)} s; guest uptime at ` +
      `init ${up('init')} s, modules ${up('modules-loaded')} s, lease ${up('dhcp-bound')} s, agent start ${up('agent-start')} s`);
  }, 300_000);
});
