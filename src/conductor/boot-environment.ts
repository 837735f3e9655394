// The DriverEnvironment the conductor lends to boot interfaces: the TFTP and HTTP boot roots (loaders
// copied in from Debian's packages at start), the URL of the HTTP root (Anvil's own boot file listener
// unless httpBootUrl names another server), the API URL agents call, kernels and ramdisks placed from the
// image cache, and the DHCP provider — with Anvil's own supervised dnsmasq when dnsmasqInterface is set.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError, type Config } from '../common/config.js';
import { log } from '../common/log.js';
import type { ConductorImages } from '../images/agent-images.js';
import { placeCachedImage } from '../images/place-image.js';
import { DnsmasqDhcp } from '../drivers/dhcp/dnsmasq-provider.js';
import { DnsmasqSupervisor } from '../drivers/dhcp/dnsmasq-process.js';
import { NoneDhcp } from '../drivers/dhcp/none-provider.js';
import type { DhcpProvider, DriverEnvironment } from '../drivers/interfaces.js';
import { forgetBootFiles } from '../drivers/pxe/boot-layout.js';
import { installLoaders } from '../drivers/pxe/loaders.js';
import { writeSharedBootFiles } from '../drivers/pxe/network-boot.js';
import { startBootHttp, type BootHttpServer } from './boot-http.js';

export interface BootServices {
  readonly env: DriverEnvironment;
  /** The supervised dnsmasq, when Anvil runs one. */
  readonly dnsmasq: DnsmasqSupervisor | null;
  /** A port was deleted or its MAC changed (`macs`: the old ones), or a node deleted (`nodeUuid` too). */
  forget(what: { readonly nodeUuid?: string; readonly macs: readonly string[] }): Promise<void>;
  close(): Promise<void>;
}

export function bootRoots(config: Config): { tftpRoot: string; httpRoot: string; dhcpDir: string } {
  return {
    tftpRoot: resolve(config.tftpRoot || join(config.stateDir, 'tftpboot')),
    httpRoot: resolve(config.httpRoot || join(config.stateDir, 'httpboot')),
    dhcpDir: resolve(config.dhcpDir || join(config.stateDir, 'dhcp')),
  };
}

/** agentApiUrl, else publicUrl, else the address the API is bound to (known only once it listens). */
export function agentApiUrl(config: Config, boundUrl: () => string): string {
  return (config.agentApiUrl || config.publicUrl || boundUrl()).replace(/\/+$/, '');
}

/**
 * Prepares the roots, copies the loaders, starts the boot file listener (unless httpBootUrl) and dnsmasq
 * (when dnsmasqInterface); called once by startService, before any work runs. `boundApiUrl` is read when a
 * node boots, so it may return the API's address once the API has started listening.
 * @throws ConfigError for a dnsmasqInterface without dnsmasqDhcpRange (or with dhcpProvider none);
 *   dnsmasq's own message when it cannot start.
 */
export async function startBootServices(config: Config, images: Pick<ConductorImages, 'cache'>, boundApiUrl: () => string): Promise<BootServices> {
  if (config.dnsmasqInterface && !config.dnsmasqDhcpRange) throw new ConfigError('dnsmasqDhcpRange is required when dnsmasqInterface is set');
  if (config.dnsmasqInterface && config.dhcpProvider !== 'dnsmasq') throw new ConfigError('dnsmasqInterface needs dhcpProvider dnsmasq');
  const { tftpRoot, httpRoot, dhcpDir } = bootRoots(config);
  await mkdir(httpRoot, { recursive: true });
  await installLoaders(tftpRoot);
  const http: BootHttpServer | null = config.httpBootUrl ? null : await startBootHttp(httpRoot, config.httpBootHost || config.host, config.httpBootPort);
  const httpUrl = (config.httpBootUrl || http!.url).replace(/\/+$/, '');
  let dnsmasq: DnsmasqSupervisor | null = null;
  let dhcp: DhcpProvider = NoneDhcp;
  try {
    if (config.dhcpProvider === 'dnsmasq') {
      const provider = new DnsmasqDhcp(dhcpDir);
      // A dnsmasq about to start reads the directories afresh: withdrawn MACs' files can go.
      await provider.init({ prune: Boolean(config.dnsmasqInterface) });
      dhcp = provider;
      if (config.dnsmasqInterface) {
        dnsmasq = await DnsmasqSupervisor.start({
          binary: config.dnsmasqBinary, interface: config.dnsmasqInterface, dhcpRange: config.dnsmasqDhcpRange,
          hostsDir: provider.hostsDir, optsDir: provider.optsDir, runDir: dhcpDir,
          tftpRoot: config.dnsmasqTftp ? tftpRoot : undefined, netns: config.dnsmasqNetns || undefined, extraArgs: config.dnsmasqExtraArgs,
        });
      }
    }
    const bootFiles = {
      tftpRoot, httpRoot, httpUrl,
      get apiUrl() {
        return agentApiUrl(config, boundApiUrl);
      },
      placeImage: (url: string, dest: string) => placeCachedImage(images.cache, url, dest),
    };
    await writeSharedBootFiles(bootFiles);
    log.info('network boot ready', { tftpRoot, httpRoot, httpUrl, dhcp: dhcp.name, dnsmasq: dnsmasq?.pid ?? null });
    const env: DriverEnvironment = { config, bootFiles, dhcp };
    return {
      env, dnsmasq,
      forget: (what) => forgetBootFiles({ tftpRoot, httpRoot, dhcp }, what),
      async close() {
        await dnsmasq?.stop();
        await http?.close();
      },
    };
  } catch (err) {
    await dnsmasq?.stop();
    await http?.close();
    throw err;
  }
}
