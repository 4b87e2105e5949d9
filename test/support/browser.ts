import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';

/**
 * Debian's chromium package (scripts/browser.sh installs it); playwright-core never downloads a browser. One browser
 * per test file; each test opens its own context, so storage never leaks between tests.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS_DIR = join(__dirname, '..', '..', 'docs', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run 'bash scripts/browser.sh install' (Debian's chromium package)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/**
 * axe-core's serious and critical violations in a page or frame as it is now (WCAG 2.1 A and AA rules). The
 * console's and the widget's CSPs refuse an added inline <script> (as they should), so axe is evaluated through the
 * DevTools protocol instead, which the page's CSP does not govern.
 */
export async function seriousViolations(page: Page | Frame): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(`${AXE_SOURCE}\n;void 0`);
  const violations: AxeViolation[] = await page.evaluate(async () => {
    // Runs in the page (no DOM types in the test's TypeScript).
    const page = globalThis as unknown as {
      document: unknown;
      axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> };
    };
    const result = await page.axe.run(page.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** A full-page screenshot for the README, named <lang>-<screen>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`), fullPage: true, animations: 'disabled' });
}

/** Presses Tab (at most `max` times) until the focused element matches: keyboard-only navigation in a test. */
export async function tabTo(
  page: Page,
  matches: (el: { tag: string; id: string; text: string; label: string }) => boolean,
  max = 40,
): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const el = await page.evaluate(() => {
      type El = { tagName: string; id: string; textContent: string | null; getAttribute(name: string): string | null };
      const a = (globalThis as unknown as { document: { activeElement: El | null } }).document.activeElement;
      return {
        tag: a?.tagName.toLowerCase() ?? '',
        id: a?.id ?? '',
        text: (a?.textContent ?? '').trim(),
        label: a?.getAttribute('aria-label') ?? '',
      };
    });
    if (matches(el)) return;
  }
  throw new Error(`no element reached with Tab in ${max} presses`);
}
