import { INestApplication } from '@nestjs/common';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { launchBrowser, screenshot, seriousViolations, tabTo } from './support/browser';
import { VALID_PERSONAL_CODE } from './support/factories';
import { baseUrl, buildConsole, openConsole, signIn } from './support/console-app';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually, TestEnv } from './support/test-env';

/**
 * The staff console in a real browser (Debian's chromium through playwright-core) against the real service:
 * built console, API, worker, PostgreSQL and Redis.
 */
describe('the console in a browser', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let browser: Browser;
  const password = 'a long enough passphrase for staff';
  const people = {
    operator: 'operatore@vpppd.test',
    vid: 'specialists@vid.test',
    vsaa: 'specialiste@vsaa.test',
  };

  beforeAll(async () => {
    buildConsole();
    app = await env.startApi({ APP_ROLE: 'all' });
    const agents = app.get(AgentsService);
    await agents.upsert({ email: people.operator, displayName: 'Operatore Ilze', password, roles: ['operator'] });
    await agents.upsert({
      email: people.vid,
      displayName: 'VID speciālists Artūrs',
      password,
      roles: ['specialist'],
      institutionCodes: ['VID'],
    });
    await agents.upsert({
      email: people.vsaa,
      displayName: 'VSAA speciāliste Dace',
      password,
      roles: ['specialist'],
      institutionCodes: ['VSAA'],
    });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await env.teardown();
  });

  it('serves the console with its own CSP, index.html for client routes and long-cached hashed assets', async () => {
    const http = request(app.getHttpServer());
    const page = await http.get('/console/tickets/VP-2026-000123').expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    const csp = page.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const asset = /\/console\/assets\/[^"]+\.js/.exec(page.text)![0];
    const js = await http.get(asset).expect(200);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    await http.get('/console/assets/missing-abc.js').expect(404);
    await http.get('/console/assets/..%2f..%2fpackage.json').expect(404);
  });

  it('says in plain words why a sign-in is refused', async () => {
    const { context, page } = await openConsole(browser, app, 'lv');
    await signIn(page, people.operator, 'not the right password at all');
    await page.getByRole('alert').getByText('Nepareizs e-pasts vai parole.').waitFor();
    await context.close();
  });

  it('renews the access token silently before it expires, and keeps working with the new one', async () => {
    const { context, page } = await openConsole(browser, app, 'en', '/console/', { fakeClock: true });
    await signIn(page, people.operator, password, 'en');
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    const firstRefreshToken = await page.evaluate(() => (globalThis as any).sessionStorage.getItem('console.refresh'));

    // The token lives JWT_TTL_SECONDS (900 s); the console renews it at 80 %, without a word to the person.
    const refreshed = page.waitForResponse((r) => r.url().endsWith('/v1/auth/refresh') && r.request().method() === 'POST');
    await page.clock.fastForward('12:01');
    expect((await refreshed).status()).toBe(200);
    // The page stores the new token a moment after the answer arrives (a CI run read the old one in between): asked
    // again from here, not by the page's timers, which the fake clock holds.
    const storedRefresh = () => page.evaluate(() => (globalThis as any).sessionStorage.getItem('console.refresh'));
    await eventually(async () => (await storedRefresh()) !== firstRefreshToken, { timeoutMs: 5000 });

    // The new token works: the next request of the inbox is answered.
    const listed = page.waitForResponse((r) => r.url().includes('/v1/tickets?') && r.url().includes('status=queued'));
    await page.getByLabel('Status').selectOption('queued');
    expect((await listed).status()).toBe(200);
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(0);

    // Signing out ends the session on the server, not only in the page.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const sessions = await env.sql(`SELECT s.revoked_at FROM sessions s JOIN agents a ON a.id = s.agent_id WHERE a.email = $1`, [
      people.operator,
    ]);
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((row) => row.revoked_at !== null)).toBe(true);
    await context.close();
  });

  it('an operator sees a web-form submission arrive live, replies, and escalates it to VID; VID finds it, VSAA does not', async () => {
    const { context, page } = await openConsole(browser, app, 'lv');
    await signIn(page, people.operator, password);
    await page.getByRole('heading', { name: 'Pieprasījumi' }).waitFor();
    await page.getByText('Tiešsaiste').waitFor();

    // Arrives while the inbox is open: no reload.
    const reference = await env.submitTicket(app, { subject: 'Par pensiju <b>steidzami</b>', institution: 'VSAA' });
    const link = page.getByRole('link', { name: reference });
    await link.waitFor({ timeout: 15_000 });
    // The router gives it to the one operator online: a notice says so, without a sound.
    await page.getByRole('status').getByText(`Jums piešķirts pieprasījums ${reference}.`).waitFor();
    const row = page.locator(`tr[data-reference="${reference}"]`);
    await expect(row.textContent()).resolves.toContain('Jānis Bērziņš');
    await expect(row.textContent()).resolves.toContain('<b>steidzami</b>');

    await link.click();
    await page.waitForURL(`**/console/tickets/${reference}`);
    // The customer's words are text: their markup never becomes elements.
    await expect(page.locator('#ticket-heading').textContent()).resolves.toContain('<b>steidzami</b>');
    expect(await page.locator('#ticket-heading b').count()).toBe(0);

    await page.getByLabel('Atbilde', { exact: true }).fill('Labdien! Pieteikties var portālā Latvija.lv.');
    await page.getByRole('button', { name: 'Sūtīt' }).click();
    await page.locator('.timeline .entry-outbound').getByText('Labdien! Pieteikties var portālā Latvija.lv.').waitFor();

    await page.getByLabel('Iestāde', { exact: true }).selectOption('VID');
    await page.getByLabel('Iemesls').fill('Vajadzīgi dati no VID sistēmām');
    await page.getByRole('button', { name: 'Nodot', exact: true }).click();
    await page.locator('.timeline .entry-escalation').getByText('Vajadzīgi dati no VID sistēmām').waitFor();
    const [ticket] = await env.sql(
      `SELECT t.level, i.code FROM tickets t JOIN institutions i ON i.id = t.institution_id WHERE t.reference = $1`,
      [reference],
    );
    expect(ticket).toEqual({ level: 2, code: 'VID' });
    // A reload of the ticket's own address keeps the person signed in and on the ticket.
    await page.reload();
    await page.locator('.timeline .entry-escalation').getByText('Vajadzīgi dati no VID sistēmām').waitFor();
    await context.close();

    // The VID specialist finds it: in the list, by search, at its address.
    const vid = await openConsole(browser, app, 'lv');
    await signIn(vid.page, people.vid, password);
    await vid.page.getByRole('link', { name: reference }).waitFor();
    // A word in another form finds it, and the row shows where, the word marked.
    await vid.page.getByLabel('Meklēt', { exact: true }).fill('pensija');
    await vid.page.getByRole('button', { name: 'Meklēt' }).click();
    await expect(vid.page.locator(`tr[data-reference="${reference}"] .snippet mark`).first().textContent()).resolves.toBe('pensijai');
    await vid.page.getByLabel('Meklēt', { exact: true }).fill(reference);
    await vid.page.getByRole('button', { name: 'Meklēt' }).click();
    await vid.page.getByRole('link', { name: reference }).click();
    await vid.page.getByText('Vajadzīgi dati no VID sistēmām').waitFor();
    await vid.context.close();

    // The VSAA specialist does not: not in the list, not by search, not at its address.
    const vsaa = await openConsole(browser, app, 'lv');
    await signIn(vsaa.page, people.vsaa, password);
    await vsaa.page.getByRole('heading', { name: 'Pieprasījumi' }).waitFor();
    await vsaa.page.getByText('Nav pieprasījumu, kas atbilst filtriem.').waitFor();
    await vsaa.page.getByLabel('Meklēt', { exact: true }).fill(reference);
    await vsaa.page.getByRole('button', { name: 'Meklēt' }).click();
    await vsaa.page.getByText('Nav pieprasījumu, kas atbilst filtriem.').waitFor();
    await vsaa.page.goto(`${baseUrl(app)}/console/tickets/${reference}`);
    await vsaa.page.getByText(`Pieprasījums ${reference} nav atrasts vai jums nav tiesību to redzēt.`).waitFor();
    expect(await vsaa.page.getByText('Vajadzīgi dati no VID sistēmām').count()).toBe(0);
    await vsaa.context.close();
  });

  it('works with the keyboard alone: sign in, open the first ticket, reply, escalate', async () => {
    const reference = await env.submitTicket(app, { subject: 'Tastatūras pārbaude', institution: 'VSAA' });
    await env.sql(`UPDATE tickets SET sla_due_at = now() - interval '1 hour' WHERE reference = $1`, [reference]);
    const { context, page } = await openConsole(browser, app, 'en');
    const keys = page.keyboard;
    await page.getByLabel('Email').waitFor();
    await keys.type(people.operator); // the e-mail field has the focus on arrival
    await keys.press('Tab');
    await keys.type(password);
    await keys.press('Enter');
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await page.getByRole('link', { name: reference }).waitFor();

    await keys.press('j'); // the first row: the most overdue ticket
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent,
      ),
    ).toBe(reference);
    await keys.press('Enter');
    await page.waitForURL(`**/console/tickets/${reference}`);

    await tabTo(page, (el) => el.id === 'reply-text');
    await keys.type('Answered with the keyboard only.');
    await keys.press('Tab');
    await keys.press('Enter');
    await page.locator('.timeline .entry-outbound').getByText('Answered with the keyboard only.').waitFor();

    await tabTo(page, (el) => el.id === 'escalate-institution');
    await page.keyboard.type('VID'); // a select takes its option by typing
    await tabTo(page, (el) => el.id === 'escalate-reason');
    await keys.type('Needs the tax records');
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Escalate');
    await keys.press('Enter');
    await page.locator('.timeline .entry-escalation').getByText('Needs the tax records').waitFor();
    const [ticket] = await env.sql(
      `SELECT t.level, i.code FROM tickets t JOIN institutions i ON i.id = t.institution_id WHERE t.reference = $1`,
      [reference],
    );
    expect(ticket).toEqual({ level: 2, code: 'VID' });
    await context.close();
  });

  it('changes status and kind, hands back with the answer (a missing one said at its field), and shows where the contact came from', async () => {
    const reference = await env.submitTicket(app, {
      subject: 'Statusa maiņa',
      institution: 'VSAA',
      applicant: {
        firstName: 'Anna',
        lastName: 'Kalniņa',
        personalCode: VALID_PERSONAL_CODE,
        email: 'anna.kalnina@example.lv',
        authenticated: true,
      },
    });
    const token = (await request(app.getHttpServer()).post('/v1/auth/login').send({ email: people.operator, password }).expect(200)).body
      .accessToken;
    await request(app.getHttpServer())
      .post(`/v1/tickets/${reference}/escalations`)
      .set('Authorization', `Bearer ${token}`)
      .send({ toLevel: 2, institution: 'VSAA', reason: 'Vajag VSAA datus' })
      .expect(201);
    const { context, page } = await openConsole(browser, app, 'en', `/console/tickets/${reference}`);
    await signIn(page, people.operator, password, 'en');
    await page.waitForURL(`**/console/tickets/${reference}`);

    // The customer panel: the ticket's own contact and the record, each identifier with its provenance in words.
    const contact = page.getByRole('list', { name: "This ticket's contact" });
    await contact.getByRole('listitem').filter({ hasText: 'Personal code' }).getByText('verified by the portal').waitFor();
    await contact.getByRole('listitem').filter({ hasText: 'Email' }).getByText('given, not verified').waitFor();
    const record = page.getByRole('list', { name: "The customer's identifiers" });
    await record.getByRole('listitem').filter({ hasText: 'Personal code' }).getByText('verified by the portal').waitFor();

    // Handing back without the answer: the API's refusal is shown at the answer's field, tied to it.
    const handBack = page.getByRole('form', { name: 'Hand back with the answer' });
    await handBack.getByLabel('Reason').fill('Answered by VSAA');
    await handBack.getByRole('button', { name: 'Hand back' }).click();
    const answer = handBack.getByLabel('Answer or instruction');
    await page.locator('#handback-summary-error').getByText('handing back needs the answer or an instruction').waitFor();
    await expect(answer.getAttribute('aria-describedby')).resolves.toBe('handback-summary-error');
    await expect(answer.getAttribute('aria-invalid')).resolves.toBe('true');
    await answer.fill('The pension is paid on the 15th.');
    await handBack.getByRole('button', { name: 'Hand back' }).click();
    await page.locator('.timeline .entry-escalation').getByText('The pension is paid on the 15th.').waitFor();
    await expect(env.sql(`SELECT level FROM tickets WHERE reference = $1`, [reference])).resolves.toEqual([{ level: 1 }]);

    // Status and kind in one change.
    const manage = page.getByRole('form', { name: 'Change the ticket' });
    await manage.getByLabel('Status', { exact: true }).selectOption({ label: 'Waiting for customer' });
    await manage.getByLabel('Kind').selectOption({ label: 'Consultation' });
    await manage.getByRole('button', { name: 'Save changes' }).click();
    await manage.getByText('Changes saved.').waitFor();
    await expect(env.sql(`SELECT status, kind FROM tickets WHERE reference = $1`, [reference])).resolves.toEqual([
      { status: 'pending_customer', kind: 'consultation' },
    ]);
    await page.locator('.ticket-side').getByText('Waiting for customer').waitFor();

    // A closed ticket is only reopened: the API says so at the status field.
    await manage.getByLabel('Status', { exact: true }).selectOption({ label: 'Closed' });
    await manage.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('.ticket-side').getByText('Closed').waitFor();
    await manage.getByLabel('Status', { exact: true }).selectOption({ label: 'Resolved' });
    await manage.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('#manage-status-error').getByText('a closed ticket can only be reopened (queued)').waitFor();
    await expect(manage.getByLabel('Status', { exact: true }).getAttribute('aria-describedby')).resolves.toBe('manage-status-error');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'en-ticket-manage');
    await context.close();
  });

  it('turns assigning a ticket someone else holds into a choice: leave it, or take it over', async () => {
    const reference = await env.submitTicket(app, { subject: 'Nodot citam', institution: 'VSAA' });
    const operator = (await request(app.getHttpServer()).post('/v1/auth/login').send({ email: people.operator, password }).expect(200)).body
      .accessToken;
    await request(app.getHttpServer())
      .post(`/v1/tickets/${reference}/claim`)
      .set('Authorization', `Bearer ${operator}`)
      .send({})
      .expect(200);
    const { context, page } = await openConsole(browser, app, 'en', `/console/tickets/${reference}`);
    await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD, 'en');
    const assign = page.getByRole('form', { name: 'Assign or transfer' });
    await assign.getByLabel('Agent').selectOption({ label: 'VSAA speciāliste Dace (Offline, holds 0)' });
    await assign.getByRole('button', { name: 'Assign' }).click();
    await assign.getByText('Operatore Ilze is already working on this ticket. Take it over anyway?').waitFor();
    await assign.getByRole('button', { name: 'Leave it' }).click();
    await expect(
      env.sql(`SELECT a.email FROM tickets t JOIN agents a ON a.id = t.assignee_id WHERE t.reference = $1`, [reference]),
    ).resolves.toEqual([{ email: people.operator }]);
    await assign.getByRole('button', { name: 'Assign' }).click();
    await assign.getByRole('button', { name: 'Take over and assign' }).click();
    await assign.getByText('The ticket is now with VSAA speciāliste Dace.').waitFor();
    await expect(
      env.sql(`SELECT a.email FROM tickets t JOIN agents a ON a.id = t.assignee_id WHERE t.reference = $1`, [reference]),
    ).resolves.toEqual([{ email: people.vsaa }]);
    await context.close();
  });

  it('turns a reply collision into a choice: read it first, or send anyway', async () => {
    const reference = await env.submitTicket(app, { subject: 'Divas atbildes', institution: 'VSAA' });
    const { context, page } = await openConsole(browser, app, 'lv', `/console/tickets/${reference}`);
    await signIn(page, people.operator, password);
    await page.waitForURL(`**/console/tickets/${reference}`);
    await page.getByLabel('Atbilde', { exact: true }).fill('Mana atbilde');

    // A colleague opens it too: each sees the other, and that the other is writing.
    const other = await openConsole(browser, app, 'lv', `/console/tickets/${reference}`);
    await signIn(other.page, people.vsaa, password);
    await page.getByRole('status').getByText('Vēl skatās: VSAA speciāliste Dace').waitFor();
    await other.page.getByText('Vēl skatās: Operatore Ilze').waitFor();
    await other.page.getByLabel('Atbilde', { exact: true }).fill('Es arī rakstu');
    await page.getByText('VSAA speciāliste Dace (raksta atbildi)').waitFor();
    await other.context.close();

    // Meanwhile a colleague answers.
    const colleague = (await request(app.getHttpServer()).post('/v1/auth/login').send({ email: people.vsaa, password }).expect(200)).body
      .accessToken;
    await request(app.getHttpServer())
      .post(`/v1/tickets/${reference}/replies`)
      .set('Authorization', `Bearer ${colleague}`)
      .send({ text: 'Kolēģes atbilde' })
      .expect(202);

    await page.getByRole('button', { name: 'Sūtīt' }).click();
    await page.getByText('Kamēr rakstījāt, šim pieprasījumam atbildēja kāds cits.').waitFor();
    await page.getByRole('button', { name: 'Vispirms izlasīt' }).click();
    await page.locator('.timeline .entry-outbound').getByText('Kolēģes atbilde').waitFor();
    await expect(page.getByLabel('Atbilde', { exact: true }).inputValue()).resolves.toBe('Mana atbilde');

    // Having read it, sending is no longer a collision.
    await page.getByRole('button', { name: 'Sūtīt' }).click();
    await page.locator('.timeline .entry-outbound').getByText('Mana atbilde').waitFor();

    // Once more, and this time the operator sends anyway. The colleague answers after the operator began to write:
    // answered before, the live timeline may show it first, and a reply written after reading it is no collision.
    await page.getByLabel('Atbilde', { exact: true }).fill('Tomēr mana');
    await request(app.getHttpServer())
      .post(`/v1/tickets/${reference}/replies`)
      .set('Authorization', `Bearer ${colleague}`)
      .send({ text: 'Vēl viena kolēģes atbilde', force: true })
      .expect(202);
    await page.getByRole('button', { name: 'Sūtīt' }).click();
    await page.getByRole('button', { name: 'Tomēr sūtīt' }).click();
    await page.locator('.timeline .entry-outbound').getByText('Tomēr mana').waitFor();
    const sent = await env.sql(
      `SELECT text FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.reference = $1 AND m.direction = 'outbound' ORDER BY m.created_at`,
      [reference],
    );
    expect(sent.map((m) => m.text)).toEqual(['Kolēģes atbilde', 'Mana atbilde', 'Vēl viena kolēģes atbilde', 'Tomēr mana']);
    await context.close();
  });

  it('shows a supervisor the live board with the counts GET /v1/supervisor/board gives, and changes it when a ticket arrives', async () => {
    const admin = (
      await request(app.getHttpServer()).post('/v1/auth/login').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }).expect(200)
    ).body.accessToken;
    const apiWaiting = async () =>
      (await request(app.getHttpServer()).get('/v1/supervisor/board').set('Authorization', `Bearer ${admin}`).expect(200)).body.totals
        .waiting as number;
    const { context, page } = await openConsole(browser, app, 'lv');
    await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
    // A supervisor's work is the board: signing in lands there.
    await page.getByRole('heading', { name: 'Tiešsaistes pārskats' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/board');
    const shown = async () => Number(await page.locator('[data-total="waiting"] .n').textContent());
    const before = await apiWaiting();
    expect(await shown()).toBe(before);

    // In Russian, which no one here speaks (staff speak Latvian unless told otherwise): nobody is given it, it waits.
    await env.submitTicket(app, { subject: 'Новое обращение', institution: 'NVA', language: 'ru' });
    const after = await apiWaiting();
    expect(after).toBe(before + 1);
    await page.waitForFunction(
      (n) => (globalThis as any).document.querySelector('[data-total="waiting"] .n')?.textContent === String(n),
      after,
    );
    await context.close();
  });

  for (const lang of ['lv', 'en'] as const) {
    it(`has no serious or critical accessibility violations on sign-in, inbox, ticket and board pages (${lang}), and shows them`, async () => {
      const reference = await env.submitTicket(app, { subject: lang === 'lv' ? 'Par slimības pabalstu' : 'About sickness benefit' });
      // One overdue and one due soon, so that axe checks those colours too and the screenshots show them.
      const late = await env.submitTicket(app, {
        subject: lang === 'lv' ? 'Par bezdarbnieka pabalstu' : 'About unemployment benefit',
        institution: 'NVA',
      });
      const soon = await env.submitTicket(app, {
        subject: lang === 'lv' ? 'Par deklarēšanos' : 'About declaring a residence',
        institution: 'PMLP',
      });
      await env.sql(`UPDATE tickets SET sla_due_at = now() - interval '2 hours' WHERE reference = $1`, [late]);
      await env.sql(
        `UPDATE tickets SET sla_warning_at = now() - interval '5 minutes', sla_due_at = now() + interval '40 minutes' WHERE reference = $1`,
        [soon],
      );
      const { context, page } = await openConsole(browser, app, lang);
      await page.getByLabel(lang === 'lv' ? 'E-pasts' : 'Email').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, `${lang}-sign-in`);

      await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD, lang);
      await page.locator('[data-total="waiting"]').waitFor();
      await page.getByRole('link', { name: lang === 'lv' ? 'Pieprasījumi' : 'Inbox', exact: true }).click();
      await page.getByRole('link', { name: reference }).waitFor();
      await page.locator(`tr[data-reference="${late}"] .sla-breached`).waitFor();
      await page.locator(`tr[data-reference="${soon}"] .sla-warning`).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, `${lang}-inbox`);

      await page.getByRole('link', { name: reference }).click();
      await page.locator('.timeline .entry').first().waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, `${lang}-ticket`);

      await page.getByRole('link', { name: lang === 'lv' ? 'Pārskats' : 'Board' }).click();
      await page.locator('[data-total="waiting"]').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, `${lang}-board`);
      await context.close();
    });
  }
});
