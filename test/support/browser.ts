// Debian's Chromium driven by playwright-core (installed by scripts/install-deps.sh --test; Playwright's own
// browser download cannot run here). Headless, with the background services that would phone out switched
// off; playwright gives each launch a fresh empty profile of its own and removes it on close.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export interface TestBrowser {
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`bash scripts/install-deps.sh --test\` (Debian packages chromium, chromium-driver).`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}

export interface TestBrowserContext {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * One browser and one context for a whole test file (launching Chromium is the slow part). Playwright's own
 * errors (which element it waited for) come after `timeoutMs`, clearer than a test timeout.
 */
export async function launchChromiumContext(viewport: { width: number; height: number }, timeoutMs = 15_000): Promise<TestBrowserContext> {
  const b = await launchChromium();
  try {
    const context = await b.browser.newContext({ viewport });
    context.setDefaultTimeout(timeoutMs);
    return {
      context,
      async close() {
        await context.close().catch(() => undefined);
        await b.close();
      },
    };
  } catch (err) {
    await b.close();
    throw err;
  }
}
