// The whole service in-process on a real socket (startService: store, conductor, periodics, API, dashboard
// and its live feed) over a fresh database, for the dashboard tests; plus a reader for its event stream.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/common/config.js';
import { startService, type RunningService } from '../../src/service.js';
import { createTestDatabase, type Dialect } from './databases.js';

export interface DashboardService {
  readonly url: string;
  readonly service: RunningService;
  stop(): Promise<void>;
}

export async function startDashboardService(dialect: Dialect, flags: Record<string, unknown> = {}): Promise<DashboardService> {
  const db = await createTestDatabase(dialect);
  const stateDir = mkdtempSync(join(tmpdir(), 'anvil-dash-'));
  const config = loadConfig({ env: {}, flags: { databaseUrl: db.url, host: '127.0.0.1', port: 0, stateDir,
    conductorHostname: `dash-${process.pid}`, powerStateSyncInterval: 0, ...flags } });
  const service = await startService(config);
  return {
    url: service.url, service,
    async stop() {
      await service.close();
      await db.drop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/** Reads server-sent events from `url` until stopped; `next(name)` waits for the next event of that name. */
export async function openEventStream(url: string, headers: Record<string, string> = {}) {
  const ctrl = new AbortController();
  const res = await fetch(url, { signal: ctrl.signal, headers: { Accept: 'text/event-stream', ...headers } });
  if (!res.ok || !res.body) throw new Error(`event stream answered ${res.status}`);
  const seen: SseEvent[] = [];
  const waiters: { match: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }[] = [];
  let buffer = '';
  const pump = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (!data.length) continue;
        const e = { event, data: data.join('\n') };
        const w = waiters.findIndex((x) => x.match(e));
        if (w >= 0) waiters.splice(w, 1)[0]!.resolve(e);
        else seen.push(e);
      }
    }
  })().catch(() => undefined);
  return {
    headers: res.headers,
    /** The next event named `name` (already received or still to come) whose data passes `where`. */
    next(name: string, where: (data: any) => boolean = () => true, timeoutMs = 10_000): Promise<any> {
      const match = (e: SseEvent) => e.event === name && where(JSON.parse(e.data));
      const i = seen.findIndex(match);
      if (i >= 0) return Promise.resolve(JSON.parse(seen.splice(i, 1)[0]!.data));
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no "${name}" event within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ match, resolve: (e) => { clearTimeout(t); resolve(JSON.parse(e.data)); } });
      });
    },
    async close() {
      ctrl.abort();
      await pump;
    },
  };
}
