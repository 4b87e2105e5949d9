import { INestApplication } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { AgentSocket } from './support/agent-socket';
import { launchBrowser, seriousViolations } from './support/browser';
import { closeToday, openAroundTheClock } from './support/calendar';
import { ChatVisitor } from './support/chat-visitor';
import { HostSite } from './support/host-site';
import { FaultProxy } from '../bench/support/servers/fault-proxy';
import { PDF_BYTES } from './support/factories';
import { eventually, login, TestEnv } from './support/test-env';
import { buildWidget } from './support/widget-build';

const PASSWORD = 'a long enough passphrase';
/** Written by every run, committed, and shown in the README's "Chat widget" section. */
const SHOTS = join(__dirname, '..', 'docs', 'screenshots', 'widget');

/**
 * The citizen's widget in a real browser (Debian's chromium through playwright-core) against the real service:
 * a ministry's site on another loopback port includes embed.js; the service is reached through a TCP proxy so
 * that the network can be taken away. Operators act through the REST API and the agents' socket.
 */
describe('chat widget in a browser', () => {
  const env = new TestEnv();
  let api: INestApplication;
  let browser: Browser;
  let proxy: FaultProxy;
  let site: HostSite;
  let stranger: HostSite;
  let adminToken = '';
  let operatorToken = '';
  const contexts: BrowserContext[] = [];
  const sockets: Array<{ close(): void }> = [];

  const http = () => request(api.getHttpServer());
  const ticket = async (reference: string) => (await env.sql('SELECT * FROM tickets WHERE reference = $1', [reference]))[0];
  const texts = async (reference: string) =>
    (
      await env.sql(
        `SELECT ms.text FROM messages ms JOIN tickets t ON t.id = ms.ticket_id WHERE t.reference = $1 ORDER BY ms.created_at, ms.id`,
        [reference],
      )
    ).map((r) => r.text as string);

  async function open(lang: string, viewport = { width: 1280, height: 800 }): Promise<{ page: Page; frame: () => Promise<Frame> }> {
    const context = await browser.newContext({ viewport, locale: lang });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${site.origin}/?lang=${lang}`);
    const frame = () => eventually(async () => page.frames().find((f) => f.url().includes('/chat/widget')) ?? null, { timeoutMs: 10000 });
    return { page, frame };
  }
  const launcher = (page: Page) => page.locator('[data-vpppd-chat] button');
  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const claim = (reference: string) =>
    http().post(`/v1/tickets/${reference}/claim`).set('Authorization', `Bearer ${operatorToken}`).send({}).expect(200);
  async function waitingVisitor(text: string): Promise<string> {
    const v = await ChatVisitor.connect(api);
    sockets.push(v);
    await v.start({ language: 'lv', institution: 'VSAA' });
    const first = await v.say(text);
    await v.say('operators');
    await eventually(async () => (await ticket(first.reference))?.queue_id);
    return first.reference;
  }
  async function startChat(frame: Frame, name?: string): Promise<void> {
    await frame.locator('input[type=checkbox]').check();
    if (name) await frame.locator('input[autocomplete=name]').fill(name);
    await frame.locator('form.prechat button[type=submit]').click();
    await frame.locator('.composer textarea').waitFor();
  }
  async function say(frame: Frame, text: string): Promise<void> {
    await frame.locator('.composer textarea').fill(text);
    await frame.locator('.composer textarea').press('Enter');
  }
  async function referenceOf(frame: Frame): Promise<string> {
    const text = await eventually(async () => /VP-\d{4}-\d{6}/.exec((await frame.locator('.ref').textContent()) ?? '')?.[0]);
    return text;
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    buildWidget();
    api = await env.startApi();
    await openAroundTheClock(env);
    await env.startWorker();
    proxy = await FaultProxy.start(api.getHttpServer().address().port);
    site = await HostSite.start(`http://127.0.0.1:${proxy.port}`);
    stranger = await HostSite.start(`http://127.0.0.1:${proxy.port}`);
    browser = await launchBrowser();
    adminToken = await login(api);
    await api
      .get(AgentsService)
      .upsert({ email: 'anna@widget.test', displayName: 'Anna Bērziņa', password: PASSWORD, roles: ['operator'], institutionCodes: [] });
    operatorToken = await login(api, 'anna@widget.test', PASSWORD);
    // What an admin sets for the institution: its site, colour, name and privacy page (an unreadable colour is refused).
    const refused = await http()
      .put('/v1/admin/institutions/VSAA/chat-widget')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ allowedOrigins: [site.origin], colour: '#ffdd00' })
      .expect(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'colour', code: 'low-contrast' })]);
    const set = await http()
      .put('/v1/admin/institutions/VSAA/chat-widget')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({
        allowedOrigins: [site.origin],
        colour: '#1f4e79',
        centreName: 'VSAA klientu centrs',
        privacyUrl: 'https://www.vsaa.gov.lv/privatums',
      })
      .expect(200);
    expect(set.body).toMatchObject({ institution: 'VSAA', allowedOrigins: [site.origin], colour: '#1f4e79' });
  });
  afterEach(async () => {
    sockets.splice(0).forEach((s) => s.close());
    for (const c of contexts.splice(0)) await c.close();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await stranger?.close();
    await proxy?.close();
    await eventually(async () => (await env.sql(`SELECT count(*)::int AS n FROM inbound_events WHERE status = 'accepted'`))[0].n === 0);
    await env.teardown();
  });

  it('a Latvian citizen talks to the assistant, waits in the queue, gets a named operator, survives a reload and a network drop, and rates', async () => {
    const ahead = [await waitingVisitor('Kā pieteikt pensiju?'), await waitingVisitor('Kur ir mans iesniegums?')];
    const { page, frame } = await open('lv');
    await expect(launcher(page).getAttribute('aria-label')).resolves.toBe('Atvērt tērzēšanu');
    await shot(page, 'lv-1-launcher');
    await launcher(page).click();
    const f = await frame();
    await f.locator('form.prechat').waitFor();
    expect(await f.evaluate('document.documentElement.lang')).toBe('lv');
    expect(await f.locator('.privacy a').getAttribute('href')).toBe('https://www.vsaa.gov.lv/privatums');
    expect(await f.locator('.open').textContent()).toContain('Konsultanti strādā tagad');
    await shot(page, 'lv-2-privacy-and-prechat');
    expect(await seriousViolations(f)).toEqual([]);

    // Consent is required, and recorded.
    await f.locator('form.prechat button[type=submit]').click();
    await expect(f.locator('.privacy .error').textContent()).resolves.toContain('apstipriniet');
    await startChat(f, 'Jānis');
    await say(f, 'Kā saņemt bezdarbnieka pabalstu?');
    await f.locator('.msg.assistant', { hasText: 'Bezdarbnieka pabalstu' }).waitFor();
    await f.locator('.msg.visitor .status', { hasText: 'nosūtīts' }).waitFor();
    expect(await f.locator('.who-now').textContent()).toBe('Virtuālais asistents');
    await shot(page, 'lv-3-assistant');
    const reference = await referenceOf(f);
    const [first] = await env.sql(
      `SELECT ms.meta FROM messages ms JOIN tickets t ON t.id = ms.ticket_id WHERE t.reference = $1 AND ms.direction = 'inbound' ORDER BY ms.created_at LIMIT 1`,
      [reference],
    );
    expect(first.meta.consentAt).toEqual(expect.any(String));

    // A person, please: third in the queue, then second once the first ahead is taken.
    await f.getByRole('button', { name: 'Runāt ar konsultantu' }).click();
    await f.locator('.banner', { hasText: 'Jūs esat 3. rindā.' }).waitFor();
    expect(await f.locator('.banner').textContent()).toContain('Gaidīšanas laiku pašlaik nevar aprēķināt.');
    expect(await f.locator('.who-now').textContent()).toBe('Gaida konsultantu');
    await shot(page, 'lv-4-queue');
    await claim(ahead[0]);
    await f.locator('.banner', { hasText: 'Jūs esat 2. rindā.' }).waitFor();
    expect(await f.locator('.banner').textContent()).toMatch(/Paredzamais gaidīšanas laiks: ap \d+ min\./);
    expect(await seriousViolations(f)).toEqual([]);

    // The operator takes it and answers through the API: the citizen sees who answers, by name.
    await claim(reference);
    await http()
      .post(`/v1/tickets/${reference}/replies`)
      .set('Authorization', `Bearer ${operatorToken}`)
      .send({ text: 'Labdien! Esmu Anna, palīdzēšu.' })
      .expect(202);
    await f.locator('.msg.agent', { hasText: 'Labdien! Esmu Anna, palīdzēšu.' }).waitFor();
    expect(await f.locator('.msg.agent .who').textContent()).toContain('Anna Bērziņa');
    await eventually(async () => (await f.locator('.who-now').textContent()) === 'Konsultants: Anna Bērziņa');

    // Markup typed by either side is shown as text and never runs.
    await say(f, '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>');
    await http()
      .post(`/v1/tickets/${reference}/replies`)
      .set('Authorization', `Bearer ${operatorToken}`)
      .send({ text: '<b>treknraksts</b><img src=y onerror="window.__xss=3">' })
      .expect(202);
    await f.locator('.msg.agent', { hasText: '<b>treknraksts</b><img src=y onerror="window.__xss=3">' }).waitFor();
    await f.locator('.msg.visitor', { hasText: '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>' }).waitFor();
    expect(await f.locator('.log img, .log script, .log b').count()).toBe(0);
    expect(await f.evaluate('window.__xss')).toBeUndefined();
    await shot(page, 'lv-5-operator');

    // A reload of the host page reopens the widget on the same conversation.
    await page.reload();
    const again = await frame();
    await again.locator('.msg.agent', { hasText: 'Labdien! Esmu Anna, palīdzēšu.' }).waitFor();
    expect(await again.locator('.msg.visitor', { hasText: 'Kā saņemt bezdarbnieka pabalstu?' }).count()).toBe(1);
    await eventually(async () => (await again.locator('.who-now').textContent()) === 'Konsultants: Anna Bērziņa');

    // The network goes for a few seconds; what the citizen typed meanwhile arrives once, nothing is lost.
    proxy.drop();
    await again.locator('.banner', { hasText: 'Savienojums pārtrūka' }).waitFor();
    await say(again, 'Vai jūs mani dzirdat?');
    await say(again, 'Otrā ziņa bezsaistē.');
    await again.locator('.msg.visitor .status', { hasText: 'sūta…' }).first().waitFor();
    await shot(page, 'lv-6-offline');
    await new Promise((r) => setTimeout(r, 3000));
    proxy.restore();
    await eventually(async () => (await again.locator('.msg.visitor .status', { hasText: 'sūta…' }).count()) === 0, { timeoutMs: 15000 });
    await eventually(async () => (await texts(reference)).includes('Otrā ziņa bezsaistē.'));
    const stored = await texts(reference);
    for (const line of ['Kā saņemt bezdarbnieka pabalstu?', 'Vai jūs mani dzirdat?', 'Otrā ziņa bezsaistē.'])
      expect([line, stored.filter((t) => t === line).length]).toEqual([line, 1]);
    expect(stored.indexOf('Vai jūs mani dzirdat?')).toBeLessThan(stored.indexOf('Otrā ziņa bezsaistē.'));
    expect(await again.locator('.msg.visitor', { hasText: 'Vai jūs mani dzirdat?' }).count()).toBe(1);

    // The operator ends the chat: the survey, answered with the keyboard-reachable buttons, lands on the ticket.
    const agent = await AgentSocket.connect(api, operatorToken);
    sockets.push(agent);
    expect(await agent.request('chat.join', { reference })).toMatchObject({ ok: true });
    expect(await agent.request('chat.close', { reference })).toMatchObject({ ok: true });
    await again.getByRole('button', { name: '5 no 5' }).click();
    await again.getByText('Paldies par vērtējumu!').waitFor();
    await eventually(async () => (await ticket(reference)).csat_score === 5);
    await shot(page, 'lv-7-rating');
    // No e-mail was given in this chat: no transcript to offer.
    expect(await again.getByRole('button', { name: 'Sūtīt sarunu uz e-pastu' }).count()).toBe(0);
    expect(await seriousViolations(again)).toEqual([]);
  });

  it('offers the transcript by e-mail at the end when an address was given, and says when it is sent', async () => {
    const { page, frame } = await open('en');
    await launcher(page).click();
    const f = await frame();
    await f.locator('form.prechat').waitFor();
    await f.locator('input[type=checkbox]').check();
    await f.locator('input[type=email]').fill('reader@example.test');
    await f.locator('form.prechat button[type=submit]').click();
    await f.locator('.composer textarea').waitFor();
    await say(f, 'How do I get the unemployment benefit?');
    await f.locator('.msg.assistant').nth(1).waitFor();
    const reference = await referenceOf(f);
    await f.getByRole('button', { name: 'End the chat' }).click();
    await f.getByRole('button', { name: 'Send me the transcript' }).click();
    await f.getByText('The transcript has been sent to your e-mail.').waitFor();
    expect(await f.getByRole('button', { name: 'Send me the transcript' }).isDisabled()).toBe(true);
    await shot(page, 'en-transcript-sent');
    expect(await seriousViolations(f)).toEqual([]);
    const rows = await env.sql(
      `SELECT ms.channel, ms.address FROM messages ms JOIN tickets t ON t.id = ms.ticket_id WHERE t.reference = $1 AND ms.meta->>'kind' = 'chat-transcript'`,
      [reference],
    );
    expect(rows).toEqual([{ channel: 'email', address: 'reader@example.test' }]);
  });

  it('loads the conversation hidden while the host page is idle, without a connection or the page focus, until the launcher is clicked', async () => {
    const { page, frame } = await open('lv');
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await launcher(page).waitFor();
    const f = await frame();
    await f.locator('form.prechat').waitFor({ state: 'attached' });
    await new Promise((r) => setTimeout(r, 500));
    expect(sockets).toEqual([]);
    expect(await page.evaluate('document.activeElement === document.body')).toBe(true);
    expect(
      await page.evaluate(`getComputedStyle(document.querySelector('[data-vpppd-chat]').shadowRoot.querySelector('.panel')).visibility`),
    ).toBe('hidden');
    await launcher(page).click();
    await f.locator('form.prechat button[type=submit]').waitFor({ state: 'visible' });
    await eventually(async () => sockets.some((url) => url.includes('/socket.io/')));
    await eventually(async () => (await f.evaluate('document.activeElement?.type')) === 'checkbox');
    await startChat(f);
  });

  it('gives a site that is not on the allow-list no widget, and the conversation page refuses to be framed there', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const config = await http().get('/chat/embed/config?institution=VSAA').set('Origin', stranger.origin).expect(200);
    expect(config.body.allowed).toBe(false);
    // Listened for before the page loads: the launcher's question may be answered before goto returns.
    const judged = page.waitForResponse((r) => r.url().includes('/chat/embed/config'));
    await page.goto(`${stranger.origin}/?lang=lv`);
    await judged;
    await new Promise((r) => setTimeout(r, 500));
    expect(await page.locator('[data-vpppd-chat]').count()).toBe(0);
    expect(page.frames().some((f) => f.url().includes('/chat/widget'))).toBe(false);
    // Framed by hand, the browser refuses it (CSP frame-ancestors): the frame never runs the widget.
    await page.goto(`${stranger.origin}/framed`);
    await new Promise((r) => setTimeout(r, 1000));
    const framed = page.frames().find((f) => f !== page.mainFrame());
    expect(
      await framed
        ?.locator('#app')
        .count()
        .catch(() => 0),
    ).toBe(0);
  });

  it('works in Russian on a 360 px phone, with the keyboard only', async () => {
    const { page, frame } = await open('ru', { width: 360, height: 740 });
    // Keyboard only: Tab to the launcher (after the page's one link), Enter opens it and moves focus inside.
    await launcher(page).waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.dataset?.vpppdChat !== undefined')).toBe(true);
    await page.keyboard.press('Enter');
    const f = await frame();
    await f.locator('form.prechat').waitFor();
    expect(await f.evaluate('document.documentElement.lang')).toBe('ru');
    // Measured once the opening animation (a few px of rise) is over.
    await page.evaluate(
      `Promise.all(document.querySelector('[data-vpppd-chat]').shadowRoot.querySelector('.panel').getAnimations().map((a) => a.finished)).then(() => true)`,
    );
    const box = await page.locator('[data-vpppd-chat] iframe').boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0, width: 360, height: 740 });
    await shot(page, 'ru-1-privacy-and-prechat-360px');
    // The consent box has focus first; Space ticks it, Tab walks the form, Enter starts.
    await eventually(async () => (await f.evaluate('document.activeElement?.type')) === 'checkbox');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Ольга');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await f.locator('.composer textarea').waitFor();
    await eventually(async () => (await f.evaluate('document.activeElement?.tagName')) === 'TEXTAREA');
    await page.keyboard.type('Как получить пособие по безработице?');
    await page.keyboard.press('Enter');
    await f.locator('.msg.assistant').nth(1).waitFor();
    expect(await f.locator('.who-now').textContent()).toBe('Виртуальный ассистент');
    await shot(page, 'ru-2-assistant-360px');
    await page.keyboard.type('Хочу поговорить с оператором');
    await page.keyboard.press('Enter');
    await f.locator('.banner', { hasText: 'в очереди' }).waitFor();
    await shot(page, 'ru-3-queue-360px');
    expect(await seriousViolations(f)).toEqual([]);
    // Escape minimises it and gives focus back to the launcher.
    await page.keyboard.press('Escape');
    await eventually(async () => (await launcher(page).getAttribute('aria-expanded')) === 'false');
    expect(await page.evaluate('document.activeElement?.dataset?.vpppdChat !== undefined')).toBe(true);
  });

  it('out of hours becomes a message form answered by e-mail, in English', async () => {
    const reopen = await closeToday(api, adminToken);
    try {
      const { page, frame } = await open('en');
      await launcher(page).click();
      const f = await frame();
      await f.locator('form.prechat h2', { hasText: 'Leave a message' }).waitFor();
      expect(await f.locator('.open').textContent()).toContain('Consultants are away now. Back:');
      await shot(page, 'en-1-out-of-hours-form');
      expect(await seriousViolations(f)).toEqual([]);
      await f.locator('input[type=checkbox]').check();
      await f.locator('input[type=email]').fill('citizen@example.test');
      await f.locator('textarea').fill('Please call me back about my pension.');
      await f.getByRole('button', { name: 'Send the message' }).click();
      await f.getByText('The answer will go to citizen@example.test').waitFor();
      await shot(page, 'en-2-message-left');
      const reference = await referenceOf(f);
      // Through the chat's own pipeline: a ticket in the queue for the next working day, with the address to answer.
      await eventually(async () => (await ticket(reference))?.level === 1);
      const [escalation] = await env.sql(
        `SELECT e.summary FROM escalations e JOIN tickets t ON t.id = e.ticket_id WHERE t.reference = $1`,
        [reference],
      );
      expect(escalation.summary).toBe('Message left out of hours: Please call me back about my pension.');
      const contacts = await env.sql(
        `SELECT c.kind, c.value FROM ticket_contacts c JOIN tickets t ON t.id = c.ticket_id WHERE t.reference = $1`,
        [reference],
      );
      expect(contacts).toContainEqual({ kind: 'email', value: 'citizen@example.test' });
    } finally {
      await reopen();
    }
  });

  it('opens in English with the privacy notice first, and sends a file within the limits it states beforehand', async () => {
    const { page, frame } = await open('en');
    await launcher(page).click();
    const f = await frame();
    await f.locator('form.prechat').waitFor();
    expect(await f.evaluate('document.documentElement.lang')).toBe('en');
    await shot(page, 'en-3-privacy-and-prechat');
    await startChat(f);
    await say(f, 'How do I get the unemployment benefit?');
    await f.locator('.msg.assistant').nth(1).waitFor();
    await shot(page, 'en-4-assistant');
    const reference = await referenceOf(f);

    // The limits are said before choosing; a file over them is refused in the widget, before any upload.
    expect(await f.locator('.tools .hint').textContent()).toMatch(/^Up to 5 MB: PDF, DOC, DOCX/);
    await f
      .locator('input[type=file]')
      .setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(5 * 1024 * 1024 + 1) });
    await f.getByText('The file “scan.pdf” is larger than 5 MB.').waitFor();
    await f.locator('input[type=file]').setInputFiles({ name: 'run.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') });
    await f.getByText('The type of “run.exe” is not allowed.', { exact: false }).waitFor();
    // A 2 MB PDF goes out with a progress bar, and lands on the ticket.
    const pdf = Buffer.concat([PDF_BYTES, Buffer.alloc(2 * 1024 * 1024, 0x20)]);
    await f.locator('input[type=file]').setInputFiles({ name: 'iesniegums.pdf', mimeType: 'application/pdf', buffer: pdf });
    await f.getByRole('button', { name: 'Remove the file iesniegums.pdf' }).waitFor();
    await f.locator('.composer textarea').fill('My application');
    await f.getByRole('button', { name: 'Send', exact: true }).click();
    await f.locator('.upload progress').waitFor({ state: 'attached' });
    await shot(page, 'en-5-file-upload');
    await f.locator('.msg.visitor', { hasText: 'iesniegums.pdf' }).locator('.status', { hasText: 'sent' }).waitFor({ timeout: 20000 });
    expect(await f.evaluate(`document.querySelector('.upload progress').value`)).toBe(100);
    await eventually(
      async () =>
        (
          await env.sql(
            `SELECT at.filename, at.size FROM attachments at JOIN messages ms ON ms.id = at.message_id JOIN tickets t ON t.id = ms.ticket_id WHERE t.reference = $1`,
            [reference],
          )
        )[0],
    );
    const [file] = await env.sql(
      `SELECT at.filename, at.size FROM attachments at JOIN messages ms ON ms.id = at.message_id JOIN tickets t ON t.id = ms.ticket_id WHERE t.reference = $1`,
      [reference],
    );
    expect(file).toEqual({ filename: 'iesniegums.pdf', size: pdf.length });
  });
});
