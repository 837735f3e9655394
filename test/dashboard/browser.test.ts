// The dashboard in a real browser (Debian's Chromium driven by playwright-core) against the whole service:
// enrolment through the form appearing live in an open list, actions on a fake-hardware node followed without
// reload (deploy to active with an image URL and hash, reboot, boot device, rescue, rebuild, undeploy, abort,
// adopt, inspect), the API's errors shown as the API gives them, and 10,000 nodes filtered and scrolled. Writes the
// README's screenshots to docs/screenshots/ when ANVIL_SCREENSHOTS=1. About 45 s on the loaded 2-core machine
// (seeding 10,000 nodes through createNode takes 3-15 s of it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { loadConfig } from '../../src/common/config.js';
import { createNode } from '../../src/conductor/node-service.js';
import { MAX_MINOR } from '../../src/api/versions.js';
import { fakeMachine } from '../../src/drivers/fake/fake-interfaces.js';
import { waitFor } from '../support/agent-nodes.js';
import { DIALECTS } from '../support/databases.js';
import { launchChromiumContext, type TestBrowserContext } from '../support/browser.js';
import { startDashboardService, type DashboardService } from '../support/dashboard-service.js';

// The browser exercises the dashboard, not the store: one dialect is enough (the feed's SQL runs on both in serving.test.ts).
const dialect = DIALECTS.includes('sqlite') ? 'sqlite' : DIALECTS[0]!;
const SHOTS = process.env.ANVIL_SCREENSHOTS === '1' ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url)) : null;
const FLAGS = { enabledHardwareTypes: 'fake-hardware,ipmi', automatedClean: false };
const V = { 'X-OpenStack-Ironic-API-Version': 'latest', 'Content-Type': 'application/json' };

describe(`dashboard in Chromium (${dialect})`, () => {
  let s: DashboardService;
  let b: TestBrowserContext;
  let ctx: BrowserContext;
  const pageErrors: string[] = [];

  async function open(path: string, scheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const page = await ctx.newPage();
    await page.emulateMedia({ colorScheme: scheme });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${s.url}${path}`);
    await page.getByTestId('live').filter({ hasText: 'live' }).waitFor();
    return page;
  }

  async function shot(page: Page, name: string): Promise<void> {
    if (!SHOTS) return;
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}${name}.png` });
  }

  beforeAll(async () => {
    s = await startDashboardService(dialect, FLAGS);
    b = await launchChromiumContext({ width: 1400, height: 860 });
    ctx = b.context;
  });
  afterAll(async () => {
    await b?.close();
    await s?.stop();
  });

  it('a browser asking for / lands on the dashboard', async () => {
    const page = await open('/');
    expect(new URL(page.url()).pathname).toBe('/dashboard/');
    await expect(page.getByRole('table', { name: 'Nodes' }).isVisible()).resolves.toBe(true);
    await page.close();
  });

  it('enrols a node through the form, which an open list shows without reload', async () => {
    const list = await open('/dashboard/');
    const form = await open('/dashboard/enrol');
    await form.getByLabel('Name', { exact: true }).fill('web-1');
    await form.locator('select[name=driver]').selectOption('fake-hardware');
    await form.getByLabel(/^deploy_kernel/).fill('http://127.0.0.1:1/kernel');
    await form.getByLabel('Resource class').fill('baremetal-web');
    await form.getByLabel('Boot mode').selectOption('uefi');
    await form.getByLabel(/MAC addresses/).fill('52:54:00:12:34:01');
    await shot(form, 'enrol');
    await form.getByRole('button', { name: 'Enrol' }).click();
    await form.getByRole('heading', { name: 'web-1' }).waitFor();
    await form.getByRole('cell', { name: '52:54:00:12:34:01' }).waitFor();

    const row = list.getByRole('row').filter({ hasText: 'web-1' });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain('baremetal-web');
    await list.getByTestId('count-total').filter({ hasText: '1' }).waitFor();

    const node = (await (await fetch(`${s.url}/v1/nodes/web-1`, { headers: V })).json()) as Record<string, any>;
    expect(node.properties.capabilities).toBe('boot_mode:uefi');
    expect(node.driver_info.deploy_kernel).toBe('http://127.0.0.1:1/kernel');
    await list.close();
    await form.close();
  });

  it('shows the API error next to the field it names, as the API gives it', async () => {
    const form = await open('/dashboard/enrol');
    await form.getByLabel('Name', { exact: true }).fill('web-1');
    await form.getByRole('button', { name: 'Enrol' }).click();
    const err = form.getByRole('alert').filter({ hasText: /already exists/ });
    await err.waitFor();
    // The same text the API sends for the same request.
    const res = await fetch(`${s.url}/v1/nodes`, { method: 'POST', headers: V, body: JSON.stringify({ driver: 'fake-hardware', name: 'web-1' }) });
    expect(res.status).toBe(409);
    expect(await err.textContent()).toBe(JSON.parse((await res.json()).error_message).faultstring);

    await form.getByLabel('Name', { exact: true }).fill('web-2');
    await form.getByLabel(/MAC addresses/).fill('not-a-mac');
    await form.getByRole('button', { name: 'Enrol' }).click();
    await form.getByRole('alert').filter({ hasText: /port was refused/ }).waitFor();
    await shot(form, 'enrol-error');
    await form.close();
  });

  it('offers the driver\'s own fields with required ones marked and secrets as password inputs, and shows secrets masked', async () => {
    const form = await open('/dashboard/enrol');
    await form.locator('select[name=driver]').selectOption('ipmi');
    const password = form.locator('input[name="driver_info.ipmi_password"]');
    expect(await password.getAttribute('type')).toBe('password');
    expect(await form.locator('input[name="driver_info.ipmi_address"]').getAttribute('type')).toBe('text');
    // The driver's properties say which keys are required; the form marks exactly those.
    const props = (await (await fetch(`${s.url}/v1/drivers/ipmi/properties`, { headers: V })).json()) as Record<string, string>;
    const required = Object.keys(props).filter((k) => /required/i.test(props[k]!) && !/not required|optional/i.test(props[k]!));
    expect(required).toContain('ipmi_address');
    for (const k of Object.keys(props)) {
      const label = form.locator('label').filter({ has: form.locator(`input[name="driver_info.${k}"]`) });
      expect(await label.locator('abbr[title=required]').count(), k).toBe(required.includes(k) ? 1 : 0);
    }
    await form.getByLabel('Name', { exact: true }).fill('bmc-1');
    await form.locator('input[name="driver_info.ipmi_address"]').fill('127.0.0.1');
    await password.fill('Bmc-Secret-77');
    await form.getByRole('button', { name: 'Enrol' }).click();
    await form.getByRole('heading', { name: 'bmc-1' }).waitFor();
    await form.getByRole('region', { name: 'driver_info' }).getByRole('row').filter({ hasText: 'ipmi_password' }).filter({ hasText: '******' }).waitFor();
    expect(await form.content()).not.toContain('Bmc-Secret-77');
    expect((await fetch(`${s.url}/v1/nodes/bmc-1`, { method: 'DELETE', headers: V })).status).toBe(204);
    await form.close();
  });

  it('runs actions on a fake-hardware node and follows its state without reload', async () => {
    const page = await open('/dashboard/nodes/web-1');
    const state = page.getByTestId('provision-state');
    expect(await state.textContent()).toBe('enroll');
    await page.getByRole('button', { name: 'Manage' }).click();
    await state.filter({ hasText: /^manageable$/ }).waitFor();
    await page.getByRole('button', { name: 'Provide' }).click();
    await state.filter({ hasText: /^available$/ }).waitFor();

    await page.getByRole('button', { name: 'Power on' }).click();
    await page.getByTestId('power-state').filter({ hasText: /^power on$/ }).waitFor();
    // Destructive actions ask first; cancelling sends nothing.
    await page.getByRole('button', { name: 'Power off' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByTestId('power-state').textContent()).toBe('power on');
    await page.getByRole('button', { name: 'Power off' }).click();
    await dialog.getByRole('button', { name: 'Power off' }).click();
    await page.getByTestId('power-state').filter({ hasText: /^power off$/ }).waitFor();

    await page.getByLabel('Reason').fill('disk swap');
    await page.getByRole('button', { name: 'Maintenance on' }).click();
    await page.getByTestId('maintenance').filter({ hasText: 'disk swap' }).waitFor();
    await page.getByRole('button', { name: 'Maintenance off' }).click();
    await page.getByTestId('maintenance').waitFor({ state: 'detached' });

    // A change made elsewhere (a script through the API) shows up too.
    const res = await fetch(`${s.url}/v1/nodes/web-1/states/provision`, { method: 'PUT', headers: V, body: JSON.stringify({ target: 'manage' }) });
    expect(res.status).toBe(202);
    await state.filter({ hasText: /^manageable$/ }).waitFor();

    // A step the fake deploy interface does not have: the API's refusal (or the failure it records) is shown.
    await page.getByLabel('Clean steps (JSON)').fill('[{"interface": "deploy", "step": "no_such_step"}]');
    await page.getByRole('button', { name: 'Clean' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Clean' }).click();
    await page.locator('[role=alert], [data-testid=last-error]').filter({ hasText: /no_such_step/ }).first().waitFor();
    await shot(page, 'node');
    await page.close();
  });

  /** The node page's controls, with waits on what the live stream shows. */
  function nodeControls(page: Page) {
    const state = page.getByTestId('provision-state');
    return {
      click: (name: string) => page.getByRole('button', { name, exact: true }).click(),
      confirm: async (name: string) => {
        await page.getByRole('button', { name, exact: true }).click();
        await page.getByRole('dialog').getByRole('button', { name, exact: true }).click();
      },
      reach: (s: string) => state.filter({ hasText: new RegExp(`^${s}$`) }).waitFor(),
      uuid: async () => (await page.locator('.node-head .uuid').textContent())!,
    };
  }

  const nodeJson = async (ident: string) => (await (await fetch(`${s.url}/v1/nodes/${ident}`, { headers: V })).json()) as Record<string, any>;

  it('drives a node enrolled through the form to active, and through every action the fake hardware has', async () => {
    const page = await open('/dashboard/enrol');
    await page.getByLabel('Name', { exact: true }).fill('deploy-1');
    await page.locator('select[name=driver]').selectOption('fake-hardware');
    await page.getByRole('button', { name: 'Enrol' }).click();
    await page.getByRole('heading', { name: 'deploy-1' }).waitFor();
    const { click, confirm, reach, uuid: readUuid } = nodeControls(page);
    const uuid = await readUuid();

    await click('Manage');
    await reach('manageable');
    // Fake inspection finishes at once; the node records when.
    await click('Inspect');
    await waitFor('inspection to finish', async () => (await nodeJson(uuid)).inspection_finished_at, 10_000);
    await reach('manageable');
    await click('Provide');
    await reach('available');

    // Deploy with an image URL and a hash algorithm + value, as an operator would.
    const image = 'http://127.0.0.1:9/images/disk.raw';
    const form = page.getByRole('form', { name: 'Deploy' });
    await form.getByLabel('Image URL').fill(image);
    await form.getByLabel('Hash algorithm').selectOption('sha256');
    await form.getByLabel('Hash value').fill('ab'.repeat(32));
    await form.getByRole('button', { name: 'Deploy' }).click();
    await reach('active');
    expect(fakeMachine(uuid).image).toBe(image);
    await page.getByRole('region', { name: 'instance_info' }).getByText(image).waitFor();
    expect((await nodeJson(uuid)).instance_info).toMatchObject({ image_source: image, image_os_hash_algo: 'sha256', image_os_hash_value: 'ab'.repeat(32) });

    // Reboot asks first, then restarts the machine.
    const boots = fakeMachine(uuid).powerOnCount;
    await confirm('Reboot');
    await waitFor('the reboot', async () => fakeMachine(uuid).powerOnCount > boots, 10_000);
    await page.getByTestId('power-state').filter({ hasText: /^power on$/ }).waitFor();

    await page.getByLabel('Device').selectOption('disk');
    await page.getByLabel('persistent').check();
    await click('Set');
    await waitFor('the boot device', async () => fakeMachine(uuid).bootDevice === 'disk' && fakeMachine(uuid).persistent, 10_000);

    // Rescue takes a password, which the page never shows again.
    await page.getByLabel('Rescue password').fill('rescue-Pw-31');
    await click('Rescue');
    await reach('rescue');
    expect(await page.content()).not.toContain('rescue-Pw-31');
    expect(JSON.stringify(await nodeJson(uuid))).not.toContain('rescue-Pw-31');
    await click('Unrescue');
    await reach('active');

    await confirm('Rebuild');
    await page.getByRole('status').filter({ hasText: 'Rebuild: accepted' }).waitFor();
    await reach('active');

    // Undeploy asks first; the machine is wiped and the node is available again (automated cleaning is off here).
    await confirm('Undeploy');
    await reach('available');
    expect(fakeMachine(uuid).image).toBeNull();
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('aborts a deploy that waits for its agent, undeploys what failed, and adopts', async () => {
    // The direct deploy interface waits in `wait call-back` for a ramdisk agent that never comes here.
    const created = await fetch(`${s.url}/v1/nodes`, { method: 'POST', headers: V,
      body: JSON.stringify({ driver: 'fake-hardware', name: 'abort-1', boot_interface: 'fake', deploy_interface: 'direct' }) });
    expect(created.status).toBe(201);
    const page = await open('/dashboard/nodes/abort-1');
    const { click, confirm, reach } = nodeControls(page);
    await click('Manage');
    await reach('manageable');
    await click('Provide');
    await reach('available');
    const form = page.getByRole('form', { name: 'Deploy' });
    await form.getByLabel('Image URL').fill('http://127.0.0.1:9/images/disk.raw');
    await form.getByLabel('Checksum (or its URL)').fill('cd'.repeat(32));
    await form.getByRole('button', { name: 'Deploy' }).click();
    await reach('wait call-back');
    await confirm('Abort');
    await reach('deploy failed');
    await page.getByTestId('last-error').waitFor();
    await confirm('Undeploy');
    await reach('available');
    await click('Manage');
    await reach('manageable');
    // Adoption takes over a machine already running an instance: the form names the image it runs (the
    // checksum typed for the deploy is still there; the URL changes).
    const adopt = page.getByRole('form', { name: 'Adopt' });
    expect(await adopt.getByLabel('Checksum (or its URL)').inputValue()).toBe('cd'.repeat(32));
    await adopt.getByLabel('Image URL').fill('http://127.0.0.1:9/images/running.raw');
    await adopt.getByRole('button', { name: 'Adopt' }).click();
    await reach('active');
    expect((await nodeJson('abort-1')).instance_info.image_source).toBe('http://127.0.0.1:9/images/running.raw');
    await page.close();
  });

  it('shows the running action live: time in state against its timeout, download and write progress with rates, validation, history', async () => {
    const created = await fetch(`${s.url}/v1/nodes`, { method: 'POST', headers: V, body: JSON.stringify({ driver: 'fake-hardware', name: 'progress-1',
      boot_interface: 'fake', deploy_interface: 'direct', instance_info: { image_source: 'http://127.0.0.1:9/images/disk.raw', image_checksum: 'ef'.repeat(32) } }) });
    expect(created.status).toBe(201);
    const uuid = (await created.json()).uuid as string;
    for (const [target, reached] of [['manage', 'manageable'], ['provide', 'available'], ['active', 'wait call-back']] as const) {
      const res = await fetch(`${s.url}/v1/nodes/${uuid}/states/provision`, { method: 'PUT', headers: V, body: JSON.stringify({ target }) });
      expect(res.status, target).toBe(202);
      await waitFor(reached, async () => (await nodeJson(uuid)).provision_state === reached, 10_000);
    }
    const page = await open(`/dashboard/nodes/${uuid}`);
    const running = page.getByRole('region', { name: 'Running action' });
    // wait call-back may last deployCallbackTimeout (1800 s by default).
    await running.getByText(/ of 30 min timeout$/).waitFor();
    expect(await running.getByRole('progressbar', { name: 'Time in state against timeout' }).getAttribute('max')).toBe('1800');

    // What the conductor and the agent write while an image comes down and goes onto the disk.
    const write = async (info: Record<string, unknown>) => {
      const rec = (await s.service.tables.nodes.findBy('uuid', uuid))!;
      await s.service.tables.nodes.update(rec.id, { driverInternalInfo: { ...rec.driverInternalInfo, ...info } });
    };
    const t0 = Date.now();
    const MiB = 1024 * 1024;
    await write({ image_download_progress: { bytes_done: MiB, total_bytes: 4 * MiB, percent: 25, updated_at: new Date(t0).toISOString() } });
    const download = page.getByTestId('progress-image_download_progress');
    await download.filter({ hasText: 'image download progress: 1.0 MiB of 4.0 MiB (25%)' }).waitFor();
    // The rate comes from two successive reports: 2 MiB in 2 s.
    await write({ image_download_progress: { bytes_done: 3 * MiB, total_bytes: 4 * MiB, percent: 75, updated_at: new Date(t0 + 2000).toISOString() } });
    await download.filter({ hasText: 'image download progress: 3.0 MiB of 4.0 MiB (75%), 1.0 MiB/s' }).waitFor();
    // The agent's write reports its own rate.
    await write({ deploy_progress: { bytes_written: 2 * MiB, total_bytes: 8 * MiB, rate_bytes_per_s: 512 * 1024, elapsed_s: 4 } });
    await page.getByTestId('progress-deploy_progress').filter({ hasText: 'deploy progress: 2.0 MiB of 8.0 MiB (25%), 512.0 KiB/s' }).waitFor();

    const validation = page.getByRole('region', { name: 'Validation' });
    await validation.getByRole('row').filter({ hasText: /^power/ }).filter({ hasText: 'ok' }).waitFor();
    expect(await validation.getByRole('row').count()).toBeGreaterThan(5);

    // Aborting ends the wait: the running action goes, and the failure shows in the history without reload.
    await nodeControls(page).confirm('Abort');
    await nodeControls(page).reach('deploy failed');
    await running.waitFor({ state: 'detached' });
    await page.getByRole('region', { name: 'History' }).getByRole('row').nth(1).waitFor();
    await page.close();
  });

  it('filters 10,000 nodes and scrolls through them smoothly', { timeout: 120_000 }, async () => {
    const deps = { tables: s.service.tables, config: loadConfig({ env: {}, flags: FLAGS }), registry: s.service.registry };
    const listed = async (q: string) => ((await (await fetch(`${s.url}/v1/nodes?fields=uuid${q}`, { headers: V })).json()).nodes as unknown[]).length;
    const before = await listed('');
    const manageableBefore = await listed('&provision_state=manageable');
    const activeBefore = await listed('&provision_state=active');
    const states = ['available', 'active', 'manageable', 'enroll'];
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) {
      await createNode(deps, { name: `rack-${String(i).padStart(5, '0')}`, driver: 'fake-hardware', provisionState: states[i % 4]!,
        resourceClass: `rc-${i % 3}`, maintenance: i % 50 === 0, powerState: i % 2 ? 'power on' : 'power off' }, MAX_MINOR);
    }
    const seedMs = performance.now() - t0;
    const page = await open('/dashboard/', 'dark');
    await page.getByTestId('count-total').filter({ hasText: String(10_000 + before) }).waitFor();
    await page.getByRole('row').filter({ hasText: 'rack-00000' }).waitFor();
    await shot(page, 'nodes');

    // Only a window of rows is in the DOM however many are loaded.
    const rendered = await page.locator('[data-uuid]').count();
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(80);

    await page.getByRole('combobox', { name: /^Provision state/ }).selectOption('manageable');
    await page.getByRole('row').filter({ hasText: 'rack-00002' }).waitFor();
    const body = page.getByTestId('node-rows');
    const started = performance.now();
    // Scroll to the end: pages of 250 load as the window nears the end, until the API says there is no more.
    for (let i = 0; i < 60; i++) {
      await body.evaluate((el) => { el.scrollTop = el.scrollHeight; });
      if (await page.getByRole('status').filter({ hasText: /^\d+ loaded$/ }).count()) break;
      await page.waitForTimeout(100);
    }
    const scrollMs = performance.now() - started;
    // manageable = i % 4 == 2: 2,500 of them, in 10 pages.
    await page.getByRole('status').filter({ hasText: `${2500 + manageableBefore} loaded` }).waitFor();
    const states2 = await page.locator('[data-uuid]').allTextContents();
    expect(states2.every((t) => t.includes('manageable'))).toBe(true);
    await page.getByRole('row').filter({ hasText: 'rack-09998' }).waitFor();
    console.log(`seeded 10,000 nodes in ${Math.round(seedMs)} ms; filtered and scrolled to the end in ${Math.round(scrollMs)} ms`);

    // Counts per state come from the service, not from what is loaded.
    await page.getByRole('button', { name: `${2500 + activeBefore} active` }).waitFor();
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  /** Form controls and buttons that a screen reader could not name (no label, aria-label or text). */
  const unlabelled = (page: Page) => page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')]
    .filter((el) => !((el as HTMLInputElement).labels?.length || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent?.trim())))
    .map((el) => el.outerHTML));

  it('sorts (by keyboard too), filters and searches the 10,000 nodes; every control is labelled', async () => {
    const page = await open('/dashboard/');
    const rows = page.locator('[data-uuid]');
    await page.getByRole('textbox', { name: 'Resource class' }).fill('rc-1');
    await page.getByRole('combobox', { name: 'Maintenance' }).selectOption('false');
    await rows.first().filter({ hasText: 'rack-00001' }).waitFor();
    // Sorting is the API's (sort_key/sort_dir): the header button works from the keyboard.
    const name = page.getByRole('columnheader', { name: /^Name/ });
    await name.getByRole('button').focus();
    await page.keyboard.press('Enter');
    await rows.first().filter({ hasText: 'rack-09997' }).waitFor();
    expect(await name.getAttribute('aria-sort')).toBe('descending');
    expect((await rows.allTextContents()).every((t) => t.includes('rc-1') && !t.includes('maintenance'))).toBe(true);

    await page.getByRole('textbox', { name: 'Resource class' }).fill('');
    await page.getByRole('combobox', { name: 'Maintenance' }).selectOption('true');
    const inMaintenance = ((await (await fetch(`${s.url}/v1/nodes?maintenance=true&fields=uuid&limit=1000`, { headers: V })).json()).nodes as unknown[]).length;
    expect(inMaintenance).toBeGreaterThanOrEqual(200);
    await page.getByRole('status').filter({ hasText: new RegExp(`^${inMaintenance} loaded$`) }).waitFor();
    expect((await rows.allTextContents()).every((t) => t.includes('maintenance'))).toBe(true);

    // A name is looked up directly; an unknown one lists nothing.
    await page.getByRole('searchbox', { name: 'Name or UUID' }).fill('rack-04242');
    await rows.filter({ hasText: 'rack-04242' }).waitFor();
    expect(await rows.count()).toBe(1);
    await page.getByRole('searchbox', { name: 'Name or UUID' }).fill('no-such-node');
    await page.getByText('No nodes match.').waitFor();
    expect(await unlabelled(page)).toEqual([]);

    await page.goto(`${s.url}/dashboard/nodes/deploy-1`);
    await page.getByRole('heading', { name: 'deploy-1' }).waitFor();
    expect(await unlabelled(page)).toEqual([]);
    await page.goto(`${s.url}/dashboard/enrol`);
    await page.getByLabel(/^deploy_kernel/).waitFor();
    expect(await unlabelled(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
