// Starts the all-in-one service: store (migrated), conductor registration, image cache and image server for
// agents, network boot services (boot roots, boot file server, dnsmasq), HTTP API. Returns a handle that stops everything in reverse order.
import type { ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Config } from './common/config.js';
import { log, setLogLevel } from './common/log.js';
import { SecretBox } from './common/secrets.js';
import { openStore, type Store } from './db/database.js';
import { tables, type Tables } from './db/tables.js';
import { ConductorRegistry } from './conductor/registry.js';
import { createApp } from './api/app.js';
import { checkAuthSetup } from './api/auth/authenticate.js';
import { listenApi } from './api/http-server.js';
import { fastNodeGet } from './api/fast-get.js';
import { loadTlsFiles } from './common/tls-files.js';
import { BackgroundWork } from './conductor/background-work.js';
import { Periodics } from './conductor/periodics/runner.js';
import { restartConsoles, stopConsoles } from './conductor/console.js';
import { failInterruptedAllocations, releaseOwnReservationsOnStop, releaseOwnStaleReservations } from './conductor/periodics/stale-reservations.js';
import { openConductorImages, type ConductorImages } from './images/agent-images.js';
import { NodeEventFeed } from './conductor/node-events.js';
import { startBootServices } from './conductor/boot-environment.js';
import { configureRedfish } from './drivers/redfish/redfish-system.js';

export interface RunningService {
  readonly url: string;
  readonly store: Store;
  /** The tables every part of the service writes through (watched by the live node feed). */
  readonly tables: Tables;
  readonly registry: ConductorRegistry;
  readonly work: BackgroundWork;
  readonly images: ConductorImages;
  /** The live node feed behind the dashboard's event stream. */
  readonly events: NodeEventFeed;
  close(): Promise<void>;
}

export async function startService(config: Config): Promise<RunningService> {
  setLogLevel(config.debug ? 'debug' : config.logLevel);
  configureRedfish(config);
  // Refuse an unauthenticated network bind and a broken TLS pair before anything is opened.
  checkAuthSetup(config);
  const tls = loadTlsFiles(config);
  const secretBox = config.encryptionKey ? new SecretBox(config.encryptionKey) : null;
  const store = await openStore(config.databaseUrl, { secretBox });
  const t = tables(store);
  const registry = new ConductorRegistry(t, config);
  await registry.register();
  const work = new BackgroundWork(config.workers);
  // Before any work runs: opening the cache removes what a crash left and starts the agents' image server.
  const images = await openConductorImages(config, tls);
  const events = new NodeEventFeed(t).watch();
  // Boot roots, loaders, the boot file server and the supervised dnsmasq, lent to boot and deploy drivers;
  // the agents' API URL is known once the API listens, so it is read when a node boots.
  let boundUrl = '';
  const boot = await startBootServices(config, images, () => boundUrl).catch(async (err: unknown) => {
    events.close();
    await images.close();
    throw err;
  });
  const ctx = { tables: t, config, registry, work, images, events, boot };
  await releaseOwnStaleReservations(ctx);
  await failInterruptedAllocations(ctx);
  await restartConsoles(ctx);
  const periodics = new Periodics(ctx);
  periodics.start();
  const app = createApp({ store, ...ctx });
  const fast = config.apiFastGet ? fastNodeGet({ store, ...ctx }) : null;
  const server: ServerType = await listenApi(app.fetch, config, tls, fast).catch(async (err: unknown) => {
    // The image server's socket would otherwise keep a failed start-up alive.
    await periodics.stop();
    await stopConsoles(ctx);
    await images.close();
    await boot.close();
    throw err;
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `${tls ? 'https' : 'http'}://${host}:${addr.port}`;
  boundUrl = url;
  // The same app on further addresses (a provisioning network): agents call back there, operators use loopback.
  const extra: ServerType[] = [];
  try {
    for (const h of config.extraHosts) extra.push(await listenApi(app.fetch, { ...config, host: h, port: addr.port }, tls, fast));
  } catch (err) {
    for (const s of [server, ...extra]) s.close();
    await periodics.stop();
    await images.close();
    await boot.close();
    throw err;
  }
  log.info('anvil listening', { url, ...(extra.length ? { extraHosts: config.extraHosts } : {}), database: config.databaseUrl.replace(/\/\/[^@/]*@/, '//***@'), conductor: registry.hostname, images: images.server.baseUrl });
  return {
    url, store, tables: t, registry, work, images, events,
    async close() {
      const started = Date.now();
      // New requests get connection refused from here on; idle keep-alive connections are closed now.
      events.close();
      const closed = Promise.all([server, ...extra].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      for (const s of [server, ...extra]) (s as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      await closed;
      await periodics.stop();
      const running = work.running;
      const dropped = work.stop();
      log.info('stopping: no new requests or actions accepted', { running, dropped, grace_s: config.gracefulShutdownTimeout });
      await work.idleWithin(config.gracefulShutdownTimeout * 1000);
      const handedBack = await releaseOwnReservationsOnStop(ctx);
      await stopConsoles(ctx);
      await images.close();
      await boot.close();
      await registry.unregister().catch(() => undefined);
      log.info('stopped', { actions_finished: running - work.running, actions_cut_short: work.running, locks_released: handedBack, elapsed_ms: Date.now() - started });
      await store.close();
    },
  };
}
