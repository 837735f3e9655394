// One run of the agent, IPA's order: read the hardware, post the inventory first when booted for
// inspection, look the node up (token from `config.agent_token`), make the TLS certificate for the address
// it advertises, serve the command API, then heartbeat until rescue or lockdown stops it.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { log } from '../common/log.js';
import { CommandRunner } from './command-runner.js';
import { imageExtension } from './commands/image.js';
import { logExtension } from './commands/log.js';
import { rescueExtension } from './commands/rescue.js';
import { standbyExtension } from './commands/standby.js';
import { cleanExtension, deployExtension } from './commands/steps.js';
import { systemExtension } from './commands/system.js';
import { collectInventory } from './hardware/inventory.js';
import { Heartbeater } from './heartbeater.js';
import { IronicClient } from './ironic-client.js';
import type { AgentOptions } from './options.js';
import type { AgentRuntime } from './runtime.js';
import { AgentServer } from './server.js';
import type { AgentCertificate } from './tls.js';
import { makeCertificate } from './tls-child.js';

const MIN_TOKEN_LENGTH = 32;
const INSPECTION_STATES = new Set(['inspect wait', 'inspecting']);

/** The local address the kernel would use towards the API: a connected UDP socket sends nothing. */
export function sourceAddressTowards(url: string): Promise<string> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  return new Promise((resolve, reject) => {
    const sock = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    sock.once('error', (err) => {
      sock.close();
      reject(err);
    });
    sock.connect(port, host, () => {
      const { address } = sock.address();
      sock.close();
      resolve(address);
    });
  });
}

export interface RunningAgent {
  readonly nodeUuid: string | null;
  readonly port: number;
  readonly callbackUrl: string;
  readonly certificate: AgentCertificate | null;
  /** Resolves when the API stopped (rescue, lockdown, or stop()). */
  readonly stopped: Promise<string>;
  stop(): Promise<void>;
}

export async function runAgent(options: AgentOptions, logLines: () => readonly string[]): Promise<RunningAgent> {
  const tls = { insecure: options.insecure, ...(options.apiCaFile ? { ca: readFileSync(options.apiCaFile, 'utf8') } : {}) };
  const client = options.apiUrls[0] ? new IronicClient(options.apiUrls[0], { tls, requestId: options.globalRequestId ?? undefined }) : null;
  const startedAt = Date.now() / 1000;
  let token = options.agentToken;
  let stopServing: (reason: string) => void = () => undefined;
  const rt: AgentRuntime = {
    options, node: null, config: {}, partitionUuids: null, cachedImageId: null,
    stopServing: (reason) => stopServing(reason), logLines,
  };

  // The certificate needs only the address the agent advertises: it is made while inspection and lookup run.
  // Should the network not route yet, both are worked out again after lookup.
  const advertiseFor = () => options.advertiseHost ? Promise.resolve(options.advertiseHost) : client ? sourceAddressTowards(client.baseUrl) : Promise.resolve('127.0.0.1');
  const earlyAddress = advertiseFor();
  const earlyCertificate = options.tls ? earlyAddress.then(makeCertificate) : null;
  earlyAddress.catch(() => undefined);
  earlyCertificate?.catch(() => undefined);

  // Inspection first, as IPA does: an unknown machine is only found by lookup after inspection created its ports.
  let nodeUuid = options.nodeUuid;
  let inspected = false;
  if (options.inspectionCallbackUrl && !options.standalone) {
    const inventory = await collectInventory(options);
    const poster = client ?? new IronicClient(new URL(options.inspectionCallbackUrl).origin, { tls });
    try {
      const uuid = await poster.continueInspection(options.inspectionCallbackUrl, { inventory, error: null }, nodeUuid);
      if (uuid) nodeUuid = uuid;
      inspected = true;
      log.info('Inspection data posted', { node: uuid });
    } catch (err) {
      log.error('Inspection failed; continuing with lookup', { error: (err as Error).message });
    }
  }

  if (!options.standalone && client) {
    const inventory = await collectInventory({ ...options, skipBmcDetect: true });
    const macs = [...new Set([options.bootif, ...inventory.interfaces.map((i) => i.mac_address)].filter((m): m is string => !!m))];
    log.info('Looking up the node', { addresses: macs.join(','), api: client.baseUrl });
    const answer = await client.lookup(macs, nodeUuid, options.lookupTimeoutS, options.lookupIntervalS);
    rt.node = answer.node;
    rt.config = answer.config;
    nodeUuid = answer.node.uuid;
    const t = answer.config.agent_token;
    if (typeof t === 'string' && t.length >= MIN_TOKEN_LENGTH) token = t;
    else if (t === '******' && !token) {
      // The token went to another agent already: this one must not be trusted with the node (IPA locks down).
      throw new Error('The agent token was already retrieved by another agent and none is on file; refusing to serve the node.');
    }
    log.info('Lookup succeeded', { node: nodeUuid });
    // Anvil's second way into inspection (stock IPA knows only the kernel parameter): a lookup answer whose
    // node is waiting for inspection gets the inventory, with the token just issued.
    if (!inspected && INSPECTION_STATES.has(String(answer.node.provision_state))) {
      try {
        await client.continueInspection(null, { inventory: await collectInventory(options), error: null, agent_token: token }, nodeUuid);
        log.info('Inspection data posted', { node: nodeUuid });
      } catch (err) {
        log.error('Inspection failed', { error: (err as Error).message });
      }
    }
  }

  const early = await earlyAddress.catch(() => null);
  const advertiseHost = early ?? (await advertiseFor());
  const useTls = options.tls && (client ? await client.supportsAutoTls() : true);
  const certificate = !useTls ? null : ((early ? await earlyCertificate!.catch(() => null) : null) ?? (await makeCertificate(advertiseHost)));

  let heartbeater: Heartbeater | null = null;
  const runner = new CommandRunner({
    standby: standbyExtension(rt), deploy: deployExtension(rt), clean: cleanExtension(rt), image: imageExtension(rt),
    log: logExtension(rt), rescue: rescueExtension(rt), system: systemExtension(rt),
    // Anvil's own extension (not in IPA): the inventory on demand.
    anvil: { get_inventory: { mode: 'sync', run: async () => collectInventory(options) } },
  }, () => heartbeater?.force());
  const server = new AgentServer({ runner, token: () => token, startedAt, version: options.agentVersion });
  const port = await server.listen(options.listenHost, options.listenPort, certificate);
  // Port 0 (tests, the lab) means "any": advertise the one bound unless told otherwise.
  const advertisePort = options.advertisePort || port;
  const callbackUrl = `${certificate ? 'https' : 'http'}://${isIPv6(advertiseHost) ? `[${advertiseHost}]` : advertiseHost}:${advertisePort}`;
  log.info('Command API listening', { port, tls: !!certificate, callback_url: callbackUrl });

  let resolveStopped!: (reason: string) => void;
  const stopped = new Promise<string>((r) => (resolveStopped = r));
  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    heartbeater?.stop();
    await server.close();
    log.info('Command API stopped', { reason });
    resolveStopped(reason);
  };
  // Answer the command that asked for the stop first, then close.
  stopServing = (reason) => void setTimeout(() => void stop(reason), 200);

  if (client && nodeUuid && !options.standalone) {
    heartbeater = new Heartbeater(client, nodeUuid, () => ({
      callbackUrl, agentToken: token, agentVersion: options.agentVersion, verifyCa: certificate?.certPem ?? null,
    }), () => Number(rt.config.heartbeat_timeout) || 300);
    heartbeater.start();
  }
  return { nodeUuid, port, callbackUrl, certificate, stopped, stop: () => stop('stopped') };
}
