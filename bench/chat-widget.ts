/**
 * The chat widget in a real browser, for `npm run bench:chat`: its bundle sizes as served (gzip), and the time from
 * a click on the launcher to a usable conversation (the pre-chat form ready in the iframe), over N opens in fresh
 * browser contexts (nothing cached, as for a first visit), beside the load of a blank page from the same host in
 * the same run. Debian's chromium through playwright-core.
 *
 * Two clicks are timed: the visitor's (a moment after the launcher appears: a person sees it, reads, then clicks;
 * the launcher loads the conversation hidden while the page is idle) and the worst case, a click the instant the
 * launcher appears, before any of the conversation has loaded.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { chromium, Frame } from 'playwright-core';
import { fmt, table } from './support/report';

export const GOAL_USABLE_P99_MS = 500;
/** A visitor's click comes this long after the launcher appears, at the earliest. */
export const VISITOR_CLICK_AFTER_MS = 1000;

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

function put(port: number, path: string, body: unknown, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: 'PUT', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] : NaN;
};

export async function measureWidget(apiPort: number, adminToken: string, opens: number): Promise<string[]> {
  const service = `http://127.0.0.1:${apiPort}`;
  const sizes: string[][] = [];
  for (const name of ['embed.js', 'widget.js', 'widget.css']) {
    const res = await get(apiPort, `/chat/${name}`, { 'Accept-Encoding': 'gzip' });
    if (res.status !== 200) throw new Error(`GET /chat/${name}: ${res.status} (is the widget built?)`);
    sizes.push([name, fmt(res.body.length / 1024, 1)]);
  }
  const host = http.createServer((req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    if (req.url === '/blank') return res.end('<!doctype html><html lang="lv"><title>blank</title><p>blank</p>');
    res.end(
      `<!doctype html><html lang="lv"><title>host</title><p>host</p><script src="${service}/chat/embed.js" data-institution="VSAA" data-language="lv" async></script>`,
    );
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  const status = await put(apiPort, '/v1/admin/institutions/VSAA/chat-widget', { allowedOrigins: [origin] }, adminToken);
  if (status !== 200) throw new Error(`allowing the bench's host site: ${status}`);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
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
  const usable = { visitor: [] as number[], instant: [] as number[] };
  const blank: number[] = [];
  try {
    for (let i = 0; i < opens; i++) {
      for (const kind of ['visitor', 'instant'] as const) {
        const context = await browser.newContext();
        const page = await context.newPage();
        let t0 = performance.now();
        await page.goto(`${origin}/blank`, { waitUntil: 'load' });
        if (kind === 'visitor') blank.push(performance.now() - t0);
        await page.goto(origin, { waitUntil: 'load' });
        const launcher = page.locator('[data-vpppd-chat] button');
        await launcher.waitFor();
        const findFrame = async () => {
          for (;;) {
            const f = page.frames().find((x) => x.url().includes('/chat/widget'));
            if (f) return f;
            await new Promise((r) => setTimeout(r, 2));
          }
        };
        let frame: Frame | null = null;
        if (kind === 'visitor') {
          await new Promise((r) => setTimeout(r, VISITOR_CLICK_AFTER_MS));
          // The driver's first look into a frame installs its own scripts there (tens of ms): done before the
          // timed span when the frame is already there, as it is for a visitor.
          frame = page.frames().find((x) => x.url().includes('/chat/widget')) ?? null;
          await frame?.locator('form.prechat').count();
        }
        // A real mouse click at the launcher, without the driver's actionability checks inside the timed span.
        const box = (await launcher.boundingBox())!;
        t0 = performance.now();
        await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
        frame ??= await findFrame();
        // Usable: the panel shown on the host page and the form's button visible in it.
        await page.locator('[data-vpppd-chat] .panel.open').waitFor({ state: 'attached' });
        await frame.locator('form.prechat button[type=submit]').waitFor({ state: 'visible' });
        usable[kind].push(performance.now() - t0);
        await context.close();
      }
    }
  } finally {
    await browser.close();
    host.close();
  }
  const p99 = percentile(usable.visitor, 99);
  return [
    `Chat widget in chromium (${opens} opens, each in a fresh context: nothing cached)`,
    table([['bundle (as served)', 'KB gzip'], ...sizes]),
    '',
    table([
      ['figure', 'p50, ms', 'p99, ms'],
      [
        `visitor's click (${VISITOR_CLICK_AFTER_MS} ms after the launcher shows) → usable conversation`,
        fmt(percentile(usable.visitor, 50), 1),
        fmt(p99, 1),
      ],
      [
        'click the instant the launcher shows → usable (worst case)',
        fmt(percentile(usable.instant, 50), 1),
        fmt(percentile(usable.instant, 99), 1),
      ],
      ['blank page load, same host (baseline)', fmt(percentile(blank, 50), 1), fmt(percentile(blank, 99), 1)],
    ]),
    `goal      usable p99 ≤ ${GOAL_USABLE_P99_MS} ms after a visitor's click: ${p99 <= GOAL_USABLE_P99_MS ? 'MET' : 'NOT MET'}; budgets 60 KB (launcher), 150 KB (conversation): enforced by the build`,
  ];
}
