import { readFileSync } from 'node:fs';
import { Browser, chromium, Frame } from 'playwright-core';

/**
 * Debian's chromium driven by playwright-core (which never downloads a browser of its own). One browser per test
 * file; each test opens its own context, so storage never leaks between tests.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

let axeSource: string | null = null;

/**
 * axe-core's serious and critical violations in a frame, as "rule: target" lines. The widget's CSP refuses inline
 * scripts (so page.addScriptTag cannot add axe there); the engine is evaluated through the browser's devtools
 * protocol instead, which the page's CSP does not govern.
 */
export async function seriousViolations(frame: Frame): Promise<string[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await frame.evaluate('typeof window.axe'))?.toString().includes('object')) await frame.evaluate(`${axeSource}\n;void 0`);
  const result = (await frame.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as {
    violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: string[] }> }>;
  };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}
