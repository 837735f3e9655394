// The "done when", as a newcomer meets it: the service exactly as `npm start` runs it (the launcher
// `bin/anvil.js serve` on the built package, default settings but for the fake hardware type), opened at its
// root in Chromium; a node enrolled through the form and driven to `active` with the dashboard alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { DIALECTS } from '../support/databases.js';
import { startAnvilProcess, type AnvilProcess } from '../support/anvil-process.js';
import { launchChromiumContext, type TestBrowserContext } from '../support/browser.js';

const dialect = DIALECTS.includes('sqlite') ? 'sqlite' : DIALECTS[0]!;

describe(`a newcomer drives a node to active from the dashboard of \`anvil serve\` (${dialect})`, () => {
  let anvil: AnvilProcess;
  let b: TestBrowserContext;
  let ctx: BrowserContext;

  beforeAll(async () => {
    anvil = await startAnvilProcess(dialect, { args: ['--enabled-hardware-types', 'fake-hardware,ipmi'] });
    b = await launchChromiumContext({ width: 1280, height: 800 });
    ctx = b.context;
  });
  afterAll(async () => {
    await b?.close();
    await anvil?.stop();
  });

  it('enrols through the form, then manage, provide (with automated cleaning) and deploy reach active', async () => {
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${anvil.url}/`);
    await page.getByTestId('live').filter({ hasText: /^live$/ }).waitFor();
    await page.getByRole('link', { name: 'Enrol' }).click();
    await page.getByLabel('Name', { exact: true }).fill('first-node');
    await page.locator('select[name=driver]').selectOption('fake-hardware');
    await page.getByLabel(/MAC addresses/).fill('52:54:00:aa:bb:01');
    await page.getByRole('button', { name: 'Enrol' }).click();
    await page.getByRole('heading', { name: 'first-node' }).waitFor();

    const state = page.getByTestId('provision-state');
    const reach = (s: string) => state.filter({ hasText: new RegExp(`^${s}$`) }).waitFor();
    await page.getByRole('button', { name: 'Manage', exact: true }).click();
    await reach('manageable');
    await page.getByRole('button', { name: 'Provide', exact: true }).click();
    await reach('available');
    const form = page.getByRole('form', { name: 'Deploy' });
    await form.getByLabel('Image URL').fill('http://127.0.0.1:9/images/first.raw');
    await form.getByLabel('Checksum (or its URL)').fill('0f'.repeat(32));
    await form.getByRole('button', { name: 'Deploy' }).click();
    await reach('active');

    // What the browser shows is what the API says.
    const node = await (await fetch(`${anvil.url}/v1/nodes/first-node`, { headers: { 'X-OpenStack-Ironic-API-Version': 'latest' } })).json();
    expect(node).toMatchObject({ provision_state: 'active', power_state: 'power on', instance_info: { image_source: 'http://127.0.0.1:9/images/first.raw' } });
    await page.getByRole('link', { name: '← Nodes' }).click();
    await page.getByRole('row').filter({ hasText: 'first-node' }).filter({ hasText: 'active' }).waitFor();
    expect(errors).toEqual([]);
  });
});
