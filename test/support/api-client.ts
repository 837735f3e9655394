// An in-process Anvil (store + registry + HTTP app, no socket) over a fresh database, and a small request
// helper that speaks the Ironic conventions (version header, JSON bodies, decoded error messages).
import { loadConfig, type Config } from '../../src/common/config.js';
import { SecretBox } from '../../src/common/secrets.js';
import { openStore, type Store } from '../../src/db/database.js';
import { tables, type Tables } from '../../src/db/tables.js';
import { ConductorRegistry } from '../../src/conductor/registry.js';
import { createApp } from '../../src/api/app.js';
import { listenApi } from '../../src/api/http-server.js';
import type { AddressInfo } from 'node:net';
import { BackgroundWork } from '../../src/conductor/background-work.js';
import { openConductorImages, type ConductorImages } from '../../src/images/agent-images.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type Dialect, type TestDatabase } from './databases.js';

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
  readonly text: string;
  /** faultstring of an Ironic error body, if any. */
  readonly error?: string;
}

export interface TestApi {
  readonly store: Store;
  readonly tables: Tables;
  readonly config: Config;
  readonly registry: ConductorRegistry;
  readonly work: BackgroundWork;
  readonly images: ConductorImages | undefined;
  /** Where requests go: the real socket with `http`, else the in-process app's nominal origin. */
  readonly origin: string;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  /** Shorthands at microversion `latest`. */
  get(path: string, headers?: Record<string, string>): Promise<ApiResponse>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  patch(path: string, body: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  del(path: string, headers?: Record<string, string>): Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface TestApiOptions {
  /** Open the image cache and the image server for agents (in a temporary state directory). */
  readonly images?: boolean;
  /** Serve the app on a real socket (127.0.0.1, a free port) and send every request through it. */
  readonly http?: boolean;
}

export async function startTestApi(dialect: Dialect, overrides: Record<string, unknown> = {}, opts: TestApiOptions = {}): Promise<TestApi> {
  const db: TestDatabase = await createTestDatabase(dialect);
  const stateDir = opts.images ? mkdtempSync(join(tmpdir(), 'anvil-state-')) : undefined;
  const config = loadConfig({ env: {}, flags: { databaseUrl: db.url, conductorHostname: 'test-conductor', ...(stateDir ? { stateDir } : {}), ...overrides } });
  const images = opts.images ? await openConductorImages(config) : undefined;
  const store = await openStore(config.databaseUrl, { secretBox: config.encryptionKey ? new SecretBox(config.encryptionKey) : null });
  const t = tables(store);
  const registry = new ConductorRegistry(t, config);
  await registry.register();
  const work = new BackgroundWork(config.workers);
  const app = createApp({ store, tables: t, config, registry, work, images });
  const server = opts.http ? await listenApi(app.fetch, { ...config, host: '127.0.0.1', port: 0 }, null) : undefined;
  const origin = server ? `http://127.0.0.1:${(server.address() as AddressInfo).port}` : 'http://127.0.0.1:6385';
  const send = (url: string, init: RequestInit) => (server ? fetch(url, init) : app.request(url, init));

  async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
    const init: RequestInit = { method, headers: { 'X-OpenStack-Ironic-API-Version': 'latest', ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['Content-Type'] ??= 'application/json';
    }
    for (const [k, v] of Object.entries(init.headers as Record<string, string>)) if (v === '') delete (init.headers as Record<string, string>)[k];
    const res = await send(`${origin}${path}`, init);
    const text = await res.text();
    let parsed: any = undefined;
    try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
    let error: string | undefined;
    if (parsed && typeof parsed.error_message === 'string') {
      try { error = JSON.parse(parsed.error_message).faultstring; } catch { error = parsed.error_message; }
    }
    return { status: res.status, headers: res.headers, body: parsed, text, error };
  }

  return {
    store, tables: t, config, registry, work, request, origin,
    get: (p, h) => request('GET', p, undefined, h),
    post: (p, b, h) => request('POST', p, b, h),
    patch: (p, b, h) => request('PATCH', p, b, h),
    del: (p, h) => request('DELETE', p, undefined, h),
    images,
    async close() {
      if (server) await new Promise((r) => server.close(() => r(undefined)));
      await work.idle();
      await images?.close();
      if (stateDir) rmSync(stateDir, { recursive: true, force: true });
      await registry.unregister().catch(() => undefined);
      await store.close();
      await db.drop();
    },
  };
}
