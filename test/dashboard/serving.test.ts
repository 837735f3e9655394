// The dashboard as the API process serves it: browsers asking for / are sent to /dashboard/ while API clients
// keep version discovery, the built page and its hashed assets, client-side routes, and the live event stream
// fed by the conductor's node feed (created, changed with progress, deleted; secrets never in it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DASHBOARD_DIR } from '../../src/api/dashboard/routes.js';
import { MAX_BACKLOG } from '../../src/api/dashboard/live-events.js';
import { createApp } from '../../src/api/app.js';
import { NodeEventFeed } from '../../src/conductor/node-events.js';
import { DIALECTS } from '../support/databases.js';
import { waitFor } from '../support/agent-nodes.js';
import { startTestApi } from '../support/api-client.js';
import { rawRequest } from '../support/raw-http.js';
import { writeHtpasswd } from '../support/htpasswd.js';
import { openEventStream, startDashboardService, type DashboardService } from '../support/dashboard-service.js';

const V = { 'X-OpenStack-Ironic-API-Version': 'latest', 'Content-Type': 'application/json' };

describe.each(DIALECTS)('dashboard serving (%s)', (dialect) => {
  let s: DashboardService;
  beforeAll(async () => {
    if (!existsSync(join(DASHBOARD_DIR, 'index.html'))) throw new Error(`${DASHBOARD_DIR} is not built: run \`npm run build\` (npm ci does).`);
    s = await startDashboardService(dialect);
  });
  afterAll(async () => s?.stop());

  it('sends browsers from / to the dashboard and keeps version discovery for API clients', async () => {
    const browser = await fetch(`${s.url}/`, { redirect: 'manual', headers: { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/dashboard/');
    for (const accept of [undefined, 'application/json', '*/*']) {
      const res = await fetch(`${s.url}/`, { redirect: 'manual', headers: accept ? { Accept: accept } : {} });
      expect(res.status, String(accept)).toBe(200);
      expect((await res.json()).default_version.id).toBe('v1');
    }
  });

  it('serves the built page, its assets and client-side routes', async () => {
    const bare = await fetch(`${s.url}/dashboard`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/dashboard/');
    const page = await fetch(`${s.url}/dashboard/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toBe(readFileSync(join(DASHBOARD_DIR, 'index.html'), 'utf8'));
    const script = /src="(\/dashboard\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${s.url}${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    const deep = await fetch(`${s.url}/dashboard/nodes/some-node`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);
    const missing = await fetch(`${s.url}/dashboard/assets/nope.js`);
    expect(missing.status).toBe(404);
    expect(JSON.parse((await missing.json()).error_message).faultstring).toMatch(/could not be found/);
  });

  it('streams node creations, state changes, progress and deletions with counts', async () => {
    const stream = await openEventStream(`${s.url}/dashboard/events`);
    try {
      expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
      expect((await stream.next('settings')).wait_timeouts['wait call-back']).toBe(1800);
      expect((await stream.next('counts')).total).toBe(0);
      const created = await fetch(`${s.url}/v1/nodes`, { method: 'POST', headers: V,
        body: JSON.stringify({ driver: 'fake-hardware', name: 'live-1', driver_info: { ipmi_password: 's3cret-pw' } }) });
      expect(created.status).toBe(201);
      const uuid = (await created.json()).uuid as string;
      const first = await stream.next('nodes', (ns: any[]) => ns.some((n) => n.uuid === uuid));
      expect(first.find((n: any) => n.uuid === uuid)).toMatchObject({ name: 'live-1', provision_state: 'enroll', driver: 'fake-hardware' });
      expect(JSON.stringify(first)).not.toContain('s3cret-pw');
      expect(await stream.next('counts', (c) => c.total === 1)).toEqual({ total: 1, provision_states: { enroll: 1 } });

      // Progress the conductor writes reaches the stream; other internal keys (tokens, caches) do not.
      const rec = (await s.service.tables.nodes.findBy('uuid', uuid))!;
      const progress = { bytes_done: 512, total_bytes: 1024, percent: 50, updated_at: new Date().toISOString() };
      await s.service.tables.nodes.update(rec.id, { driverInternalInfo: { image_download_progress: progress, agent_secret_token: 'tok-123' } });
      const withProgress = await stream.next('nodes', (ns: any[]) => ns.some((n) => n.driver_internal_info?.image_download_progress));
      expect(withProgress[0].driver_internal_info).toEqual({ image_download_progress: progress });
      expect(JSON.stringify(withProgress)).not.toContain('tok-123');

      const manage = await fetch(`${s.url}/v1/nodes/${uuid}/states/provision`, { method: 'PUT', headers: V, body: JSON.stringify({ target: 'manage' }) });
      expect(manage.status).toBe(202);
      const moved = await stream.next('nodes', (ns: any[]) => ns.some((n) => n.uuid === uuid && n.provision_state === 'manageable'), 15_000);
      expect(moved.find((n: any) => n.uuid === uuid).target_provision_state).toBeNull();

      const del = await fetch(`${s.url}/v1/nodes/${uuid}`, { method: 'DELETE', headers: V });
      expect(del.status).toBe(204);
      expect(await stream.next('deleted')).toEqual([uuid]);
      expect((await stream.next('counts', (c) => c.total === 0)).provision_states).toEqual({});
    } finally {
      await stream.close();
    }
  });

  it('lets go of the feed when a client goes away, and HEAD never subscribes', async () => {
    const feed = s.service.events;
    // The previous test's stream was closed too: nothing watches once the server has seen it go.
    const idle = 0;
    await waitFor('earlier streams to unsubscribe', async () => feed.watchers === idle, 5_000);
    const streams = await Promise.all([1, 2, 3].map(() => openEventStream(`${s.url}/dashboard/events`)));
    await Promise.all(streams.map((st) => st.next('counts')));
    expect(feed.watchers).toBe(idle + 3);
    for (const st of streams) await st.close();
    await waitFor('streams to unsubscribe', async () => feed.watchers === idle, 5_000);

    const head = await fetch(`${s.url}/dashboard/events`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(feed.watchers).toBe(idle);
    // The feed keeps nothing for nobody: a write with no watcher leaves no pending batch behind.
    const created = await fetch(`${s.url}/v1/nodes`, { method: 'POST', headers: V, body: JSON.stringify({ driver: 'fake-hardware' }) });
    expect(created.status).toBe(201);
    expect(feed.watchers).toBe(idle);
    expect((await fetch(`${s.url}/v1/nodes/${(await created.json()).uuid}`, { method: 'DELETE', headers: V })).status).toBe(204);
  });
});

describe('dashboard event stream, in-process', () => {
  it('drops a client that stays connected but stops reading, instead of queueing for it without end', async () => {
    const api = await startTestApi(DIALECTS[0]!);
    const feed = new NodeEventFeed(api.tables, 60_000).watch();
    try {
      const app = createApp({ store: api.store, tables: api.tables, config: api.config, registry: api.registry, work: api.work, images: api.images, events: feed });
      // HEAD in-process too (the path the fuzz test takes): no subscription, no body.
      const head = await app.request('http://127.0.0.1/dashboard/events', { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(feed.watchers).toBe(0);
      // A body nobody reads: after the first chunks the stream's writes wait for a reader that never comes.
      const res = await app.request('http://127.0.0.1/dashboard/events');
      expect(res.status).toBe(200);
      expect(feed.watchers).toBe(1);
      // Each flush with a deletion publishes two batches (deleted, counts): enough to overflow the backlog.
      for (let i = 0; i <= MAX_BACKLOG / 2 && feed.watchers; i++) {
        feed.nodeDeleted(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
        await feed.flush();
      }
      await waitFor('the stalled stream to be dropped', async () => feed.watchers === 0, 5_000);
      // What was sent before the stall is still readable, then the stream ends.
      const text = await res.text();
      expect(text).toMatch(/^event: settings\n/);
    } finally {
      feed.close();
      await api.close();
    }
  });
});

describe('dashboard behind http_basic', () => {
  let s: DashboardService;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anvil-dash-auth-'));
    writeHtpasswd(join(dir, 'htpasswd'), { operator: 'op-pass' });
    s = await startDashboardService(DIALECTS[0]!, { authStrategy: 'http_basic', httpBasicAuthUserFile: join(dir, 'htpasswd') });
  });
  afterAll(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the page (which logs in itself) to anyone, and the event stream only with credentials', async () => {
    const root = await fetch(`${s.url}/`, { redirect: 'manual', headers: { Accept: 'text/html' } });
    expect(root.status).toBe(302);
    const page = await fetch(`${s.url}/dashboard/nodes/some-node`);
    expect(page.status).toBe(200);
    const script = /src="(\/dashboard\/assets\/[^"]+\.js)"/.exec(await page.text())?.[1];
    expect((await fetch(`${s.url}${script}`)).status).toBe(200);
    expect((await fetch(`${s.url}/dashboard/assets/nope.js`)).status).toBe(404);
    // Public files are the built ones only: no way out of dist/dashboard, however the path is spelt.
    for (const path of ['/dashboard/../../package.json', '/dashboard/assets/../../../package.json', '/dashboard/%2e%2e/%2e%2e/package.json',
      '/dashboard/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json', '/dashboard/assets/..%5c..%5c..%5cpackage.json']) {
      const res = await rawRequest(s.url, { method: 'GET', path });
      expect(res.body.toString('utf8'), path).not.toContain('"devDependencies"');
    }
    for (const path of ['/dashboard/events', '/dashboard/events/', '/v1/nodes']) {
      const anon = await fetch(`${s.url}${path}`);
      expect(anon.status, path).toBe(401);
      expect(anon.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    }
    const auth = { Authorization: `Basic ${Buffer.from('operator:op-pass').toString('base64')}` };
    const stream = await openEventStream(`${s.url}/dashboard/events`, auth);
    try {
      expect((await stream.next('counts')).total).toBe(0);
    } finally {
      await stream.close();
    }
  });
});
