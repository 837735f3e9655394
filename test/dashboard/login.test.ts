// The dashboard against a service with http_basic, in Debian's Chromium: the page shows its own login form
// (no data before it), a wrong password gets the API's refusal, the right one opens the views and the live
// stream, actions run as that user, a reload keeps the login for the tab, and logging out forgets it. Writes
// docs/screenshots/login.png when ANVIL_SCREENSHOTS=1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { DIALECTS } from '../support/databases.js';
import { writeHtpasswd } from '../support/htpasswd.js';
import { launchChromiumContext, type TestBrowserContext } from '../support/browser.js';
import { startDashboardService, type DashboardService } from '../support/dashboard-service.js';

const dialect = DIALECTS.includes('sqlite') ? 'sqlite' : DIALECTS[0]!;
const SHOTS = process.env.ANVIL_SCREENSHOTS === '1' ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url)) : null;
const AUTH = { Authorization: `Basic ${Buffer.from('operator:op-pass').toString('base64')}` };
const V = { 'X-OpenStack-Ironic-API-Version': 'latest', 'Content-Type': 'application/json', ...AUTH };

describe(`dashboard login with http_basic in Chromium (${dialect})`, () => {
  let s: DashboardService;
  let b: TestBrowserContext;
  let ctx: BrowserContext;
  let page: Page;
  let dir: string;
  const pageErrors: string[] = [];
  const statuses: number[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anvil-dash-login-'));
    writeHtpasswd(join(dir, 'htpasswd'), { operator: 'op-pass', viewer: 'view-pass', tenant: 'tenant-pass' });
    // A system admin, a system reader, and a member of one project (who sees only that project's nodes).
    writeFileSync(join(dir, 'users.yaml'), 'operator: {roles: [admin]}\nviewer: {roles: [reader]}\ntenant: {project: proj-a, roles: [member]}\n');
    s = await startDashboardService(dialect, { authStrategy: 'http_basic', httpBasicAuthUserFile: join(dir, 'htpasswd'),
      authUsersFile: join(dir, 'users.yaml'), automatedClean: false });
    b = await launchChromiumContext({ width: 1280, height: 800 });
    ctx = b.context;
    page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('response', (r) => statuses.push(r.status()));
  });
  afterAll(async () => {
    await b?.close();
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const loginForm = () => page.getByRole('form', { name: 'Log in' });

  async function logIn(user: string, password: string): Promise<void> {
    await loginForm().getByLabel('User name').fill(user);
    await loginForm().getByLabel('Password').fill(password);
    await loginForm().getByRole('button', { name: 'Log in' }).click();
  }

  it('opens on its login form, and a wrong password gets the API\'s refusal', async () => {
    await page.goto(`${s.url}/`);
    await loginForm().waitFor();
    expect(new URL(page.url()).pathname).toBe('/dashboard/');
    expect(await page.getByRole('table', { name: 'Nodes' }).count()).toBe(0);
    expect(await page.getByTestId('live').textContent()).toBe('logged out');
    // The page's own requests were refused (401), not answered by a browser password prompt.
    expect(statuses).toContain(401);

    await logIn('operator', 'wrong-pass');
    const refusal = loginForm().getByRole('alert');
    await refusal.waitFor();
    const res = await fetch(`${s.url}/v1/nodes`, { headers: { Authorization: `Basic ${Buffer.from('operator:wrong-pass').toString('base64')}` } });
    expect(res.status).toBe(401);
    expect(await refusal.textContent()).toContain(JSON.parse((await res.json()).error_message).faultstring);
    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: `${SHOTS}login.png` });
    }
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it('logs in with the right password: the views, the live stream and actions work as that user', async () => {
    await logIn('operator', 'op-pass');
    await page.getByRole('table', { name: 'Nodes' }).waitFor();
    await page.getByTestId('live').filter({ hasText: /^live$/ }).waitFor();
    expect(await page.getByTestId('user').textContent()).toBe('operator');
    // The password is not left in the form.
    expect(await page.locator('input[type=password]').count()).toBe(0);

    // A node a script enrols reaches the list through the (authenticated) event stream.
    const created = await fetch(`${s.url}/v1/nodes`, { method: 'POST', headers: V, body: JSON.stringify({ driver: 'fake-hardware', name: 'auth-1' }) });
    expect(created.status).toBe(201);
    await page.getByRole('row').filter({ hasText: 'auth-1' }).waitFor();

    await page.getByRole('link', { name: 'auth-1' }).click();
    await page.getByRole('button', { name: 'Manage' }).click();
    await page.getByTestId('provision-state').filter({ hasText: /^manageable$/ }).waitFor();
    // A failing clean records its error in the node's history under the user who asked for it.
    await page.getByLabel('Clean steps (JSON)').fill('[{"interface": "deploy", "step": "no_such_step"}]');
    await page.getByRole('button', { name: 'Clean' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Clean' }).click();
    await page.locator('[role=alert], [data-testid=last-error]').filter({ hasText: /no_such_step/ }).first().waitFor();
    const history = await (await fetch(`${s.url}/v1/nodes/auth-1/history?detail=true`, { headers: V })).json();
    expect(history.history.map((h: { user: string | null }) => h.user)).toContain('operator');
  });

  it('keeps the login across a reload of the tab, and logging out forgets it', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'auth-1' }).waitFor();
    await page.getByTestId('live').filter({ hasText: /^live$/ }).waitFor();

    await page.getByRole('button', { name: 'Log out' }).click();
    await loginForm().waitFor();
    expect(await page.getByRole('heading', { name: 'auth-1' }).count()).toBe(0);
    expect(await page.getByTestId('user').count()).toBe(0);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.reload();
    await loginForm().waitFor();
    expect(await page.getByTestId('live').textContent()).toBe('logged out');
    expect(pageErrors).toEqual([]);
  });

  it('honours the roles of the user logged in: a reader is refused actions, a project member sees its own nodes only', async () => {
    await logIn('viewer', 'view-pass');
    // The login leaves the page where it was (the node page of the last test); the list is one link away.
    await page.getByRole('navigation').getByRole('link', { name: 'Nodes' }).click();
    await page.getByRole('row').filter({ hasText: 'auth-1' }).waitFor();
    await page.getByTestId('live').filter({ hasText: /^live$/ }).waitFor();
    await page.getByRole('link', { name: 'auth-1' }).click();
    await page.getByRole('button', { name: 'Manage' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: /^403 .*\(PUT \/v1\/nodes\/[^/]+\/states\/provision\)$/ });
    await refusal.waitFor();
    const viewer = { Authorization: `Basic ${Buffer.from('viewer:view-pass').toString('base64')}`, 'X-OpenStack-Ironic-API-Version': 'latest', 'Content-Type': 'application/json' };
    const res = await fetch(`${s.url}/v1/nodes/auth-1/states/provision`, { method: 'PUT', headers: viewer, body: JSON.stringify({ target: 'manage' }) });
    expect(res.status).toBe(403);
    expect(await refusal.textContent()).toContain(JSON.parse((await res.json()).error_message).faultstring);
    await page.getByRole('button', { name: 'Log out' }).click();

    const owned = await fetch(`${s.url}/v1/nodes`, { method: 'POST', headers: V, body: JSON.stringify({ driver: 'fake-hardware', name: 'tenant-1', owner: 'proj-a' }) });
    expect(owned.status).toBe(201);
    await logIn('tenant', 'tenant-pass');
    // Still on auth-1's page: another project's node is, for this user, one that does not exist.
    await page.getByRole('alert').filter({ hasText: 'could not be found' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Nodes' }).click();
    await page.getByRole('row').filter({ hasText: 'tenant-1' }).waitFor();
    expect(await page.getByRole('row').filter({ hasText: 'auth-1' }).count()).toBe(0);
    // The event stream carries every node: refused to a project user, whose views poll instead.
    await page.getByTestId('live').filter({ hasText: /^not live$/ }).waitFor();
    const renamed = await fetch(`${s.url}/v1/nodes/tenant-1`, { method: 'PATCH', headers: V, body: JSON.stringify([{ op: 'add', path: '/resource_class', value: 'polled-rc' }]) });
    expect(renamed.status).toBe(200);
    await page.getByRole('row').filter({ hasText: 'tenant-1' }).filter({ hasText: 'polled-rc' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
