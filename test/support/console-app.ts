import { INestApplication } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const ROOT = join(__dirname, '..', '..');

/** Builds the console from console/ into dist/console, where the service under test serves it. */
export function buildConsole(): void {
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'console', '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
}

export function baseUrl(app: INestApplication): string {
  const address = app.getHttpServer().address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

/** A fresh browser profile (its own storage, as a different person's workstation) in the given language. */
export async function openConsole(
  browser: Browser,
  app: INestApplication,
  lang: 'lv' | 'en',
  path = '/console/',
  options: { fakeClock?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    locale: lang === 'lv' ? 'lv-LV' : 'en-GB',
    viewport: { width: 1360, height: 860 },
    timezoneId: 'UTC',
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => process.stderr.write(`console page error: ${error.message}\n`));
  page.on('console', (message) => message.type() === 'error' && process.stderr.write(`console page: ${message.text()}\n`));
  // The page's timers can then be run forward (page.clock.fastForward) without waiting for them.
  if (options.fakeClock) await page.clock.install();
  await page.goto(baseUrl(app) + path);
  return { context, page };
}

export async function signIn(page: Page, email: string, password: string, lang: 'lv' | 'en' = 'lv'): Promise<void> {
  await page.getByLabel(lang === 'lv' ? 'E-pasts' : 'Email').fill(email);
  await page.getByLabel(lang === 'lv' ? 'Parole' : 'Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: lang === 'lv' ? 'Ieiet' : 'Sign in' }).click();
}
