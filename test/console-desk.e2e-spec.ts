import { INestApplication } from '@nestjs/common';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { launchBrowser, screenshot, seriousViolations } from './support/browser';
import { ChatVisitor } from './support/chat-visitor';
import { PDF_BYTES } from './support/factories';
import { buildConsole, openConsole, signIn } from './support/console-app';
import { ADMIN_EMAIL, ADMIN_PASSWORD, eventually, login, TestEnv } from './support/test-env';
import { voiceConfig } from './support/twilio-player';
import { openAroundTheClock } from './support/calendar';

/**
 * The operator's desk in a real browser against the real service: queues with waiting counts and the presence
 * control, the ticket actions an operator needs (assign, institution, merge, attachments, suggested answers), the
 * live chat taken over from the assistant, the phone pane where Twilio is not configured and, where it is, the
 * softphone up to Twilio's SDK (which cannot reach Twilio from a test), and where each role lands.
 */
describe('the operator’s desk in a browser', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let browser: Browser;
  const visitors: ChatVisitor[] = [];
  const password = 'a long enough passphrase for staff';
  const people = { operator: 'anna@desk.test', colleague: 'juris@desk.test', vid: 'vid@desk.test', dpo: 'dpo@desk.test' };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    buildConsole();
    app = await env.startApi({ APP_ROLE: 'all' });
    // The chats are handed to people only while the centre is open: open it whatever the hour the suite runs at.
    await openAroundTheClock(env);
    const agents = app.get(AgentsService);
    ids.operator = await agents.upsert({ email: people.operator, displayName: 'Operatore Anna', password, roles: ['operator'] });
    ids.colleague = await agents.upsert({ email: people.colleague, displayName: 'Operators Juris', password, roles: ['operator'] });
    ids.vid = await agents.upsert({
      email: people.vid,
      displayName: 'VID speciālists Artūrs',
      password,
      roles: ['specialist'],
      institutionCodes: ['VID'],
    });
    ids.dpo = await agents.upsert({ email: people.dpo, displayName: 'Datu aizsardzības speciāliste', password, roles: ['dpo'] });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    for (const v of visitors) v.close();
    await browser?.close();
    await env.teardown();
  });

  const sql = (text: string, params: unknown[] = []) => env.sql(text, params);

  it('shows the queues with their waiting counts as GET /v1/queues gives them, live, filters by one, and sets the presence', async () => {
    const admin = await login(app);
    const apiQueues = async () =>
      (await request(app.getHttpServer()).get('/v1/queues').set('Authorization', `Bearer ${admin}`).expect(200)).body as any[];
    await env.submitTicket(app, { institution: 'VID', language: 'ru', subject: 'Par nodokli' });
    const { context, page } = await openConsole(browser, app, 'lv');
    await signIn(page, people.operator, password);
    await page.getByRole('heading', { name: 'Rindas' }).waitFor();
    const shown = async (queue: string) => page.locator(`.queue-list button[data-queue="${queue}"] .q-waiting`).textContent();
    // Queues with work are shown at once; the empty ones fold away until asked for.
    const busy = (list: any[]) => list.filter((q) => q.waiting > 0 || q.atRisk > 0 || q.breached > 0);
    for (const q of busy(await apiQueues()))
      await page.waitForFunction(
        ([code, n]) =>
          (globalThis as any).document.querySelector(`.queue-list button[data-queue="${code}"] .q-waiting`)?.textContent === `gaida ${n}`,
        [q.queue, q.waiting] as const,
      );
    const vid = (await apiQueues()).find((q) => q.institution === 'VID' && q.waiting > 0);
    expect(await shown(vid.queue)).toBe(`gaida ${vid.waiting}`);
    const codes = () =>
      page
        .locator('.queue-list button[data-queue]:not([data-queue=""])')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-queue')));
    expect(await codes()).toEqual(busy(await apiQueues()).map((q) => q.queue));
    await page.getByRole('button', { name: /^Rādīt tukšās rindas \(\d+\)$/ }).click();
    expect(await codes()).toEqual((await apiQueues()).map((q) => q.queue));
    await page.getByRole('button', { name: 'Slēpt tukšās rindas' }).click();

    // A new ticket moves the count without a reload.
    await env.submitTicket(app, { institution: 'VID', language: 'ru', subject: 'Vēl par nodokli' });
    await page.waitForFunction(
      ([code, n]) =>
        (globalThis as any).document.querySelector(`.queue-list button[data-queue="${code}"] .q-waiting`)?.textContent === `gaida ${n}`,
      [vid.queue, vid.waiting + 1] as const,
    );

    // Choosing the queue filters the list by it.
    await page.locator(`.queue-list button[data-queue="${vid.queue}"]`).click();
    await expect(page.locator(`.queue-list button[data-queue="${vid.queue}"]`).getAttribute('aria-pressed')).resolves.toBe('true');
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('table.inbox tbody tr').length > 0);
    const listed = await page.locator('table.inbox tbody tr td:nth-child(5)').allTextContents();
    expect(new Set(listed)).toEqual(new Set(['VID']));
    // Nobody's, of that queue: what an operator picks from.
    await page.getByLabel('Izpildītājs').selectOption({ label: 'Neviens' });
    await page.waitForFunction(() =>
      [...(globalThis as any).document.querySelectorAll('table.inbox tbody tr td:nth-child(7)')].every((td: any) => td.textContent === '—'),
    );

    // Presence: away through the socket, then online again; the server holds what the control says.
    const state = async () => (await sql(`SELECT state FROM agent_presence WHERE agent_id = $1`, [ids.operator]))[0]?.state;
    await eventually(async () => (await state()) === 'online');
    await page.getByLabel('Pieejamība').selectOption('away');
    await eventually(async () => (await state()) === 'away');
    await page.getByLabel('Pieejamība').selectOption('online');
    await eventually(async () => (await state()) === 'online');
    await context.close();
  });

  it('lets an operator use a suggested answer, attach a file, transfer the ticket to another institution, merge, and assign', async () => {
    const admin = await login(app);
    await request(app.getHttpServer())
      .post('/v1/admin/knowledge/articles')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        questions: ['Kā pieteikt bērna kopšanas pabalstu?'],
        answer: 'Bērna kopšanas pabalstu piesaka portālā Latvija.lv vai VSAA nodaļā.',
        language: 'lv',
        published: true,
      })
      .expect(201);
    const reference = await env.submitTicket(app, {
      institution: 'VSAA',
      language: 'lv',
      subject: 'Bērna kopšanas pabalsts',
      message: 'Kā pieteikt bērna kopšanas pabalstu?',
    });
    const other = await env.submitTicket(app, { institution: 'VSAA', language: 'ru', subject: 'Otrs jautājums' });
    const customer = (await sql(`SELECT customer_id FROM tickets WHERE reference = $1`, [reference]))[0].customer_id;
    const operator = await login(app, people.operator, password);
    await request(app.getHttpServer())
      .post(`/v1/tickets/${other}/customer`)
      .set('Authorization', `Bearer ${operator}`)
      .send({ customerId: customer })
      .expect(200);

    const { context, page } = await openConsole(browser, app, 'lv', `/console/tickets/${reference}`);
    await signIn(page, people.operator, password);
    await page.getByRole('heading', { name: new RegExp(reference) }).waitFor();

    // The knowledge base's answer goes into the reply box with one click; a PDF goes with it.
    await page.getByRole('button', { name: /Izmantot atbildi: Kā pieteikt bērna kopšanas pabalstu/ }).click();
    await expect(page.getByLabel('Atbilde', { exact: true }).inputValue()).resolves.toBe(
      'Bērna kopšanas pabalstu piesaka portālā Latvija.lv vai VSAA nodaļā.',
    );
    await page.getByLabel('Pielikumi').setInputFiles({ name: 'iesniegums.pdf', mimeType: 'application/pdf', buffer: PDF_BYTES });
    await page.getByText('iesniegums.pdf (1 KB)').waitFor();
    await page.getByRole('button', { name: 'Sūtīt' }).click();
    await page.locator('.timeline .entry-outbound').getByText('Bērna kopšanas pabalstu piesaka').waitFor();
    const [sent] = await sql(
      `SELECT a.filename FROM messages m JOIN tickets t ON t.id = m.ticket_id JOIN attachments a ON a.message_id = m.id WHERE t.reference = $1 AND m.direction = 'outbound'`,
      [reference],
    );
    expect(sent).toEqual({ filename: 'iesniegums.pdf' });

    // Another institution at the same level: the move is on the timeline with its reason.
    const move = page.getByRole('form', { name: 'Mainīt iestādi' });
    await move.getByRole('button', { name: 'Mainīt iestādi' }).waitFor();
    await move.getByLabel('Jaunā iestāde').selectOption('VID');
    await move.getByLabel('Pamatojums').fill('Jautājums par nodokļu atvieglojumu');
    await move.getByRole('button', { name: 'Mainīt iestādi' }).click();
    await move.getByText('Pieprasījums nodots iestādei VID.').waitFor();
    expect(
      (await sql(`SELECT i.code FROM tickets t JOIN institutions i ON i.id = t.institution_id WHERE t.reference = $1`, [reference]))[0]
        .code,
    ).toBe('VID');

    // Assign to the VID specialist, whose scope now holds it: the list is the API's, with presence and load.
    const assign = page.getByRole('form', { name: 'Piešķirt vai nodot citam' });
    // Their presence is whatever an earlier test's sign-in left (an offline mark follows a closed socket after a grace).
    await expect(assign.locator(`option[value="${ids.vid}"]`).textContent()).resolves.toMatch(
      /^VID speciālists Artūrs \((Tiešsaistē|Prom|Bezsaistē), darbā \d+\)$/,
    );
    await assign.getByLabel('Darbinieks').selectOption(ids.vid);
    await assign.getByRole('button', { name: 'Piešķirt' }).click();
    await assign.getByText('Pieprasījums nodots: VID speciālists Artūrs.').waitFor();
    await eventually(
      async () => (await sql(`SELECT assignee_id FROM tickets WHERE reference = $1`, [reference]))[0].assignee_id === ids.vid,
    );

    // The customer's other ticket is listed beside, and this one merges into it.
    await page.getByRole('region', { name: 'Citi klienta pieprasījumi' }).getByRole('link', { name: other }).waitFor();
    const merge = page.getByRole('form', { name: 'Apvienot ar citu šī klienta pieprasījumu' });
    await merge.getByLabel('Apvienot ar').selectOption(other);
    await merge.getByRole('button', { name: 'Apvienot' }).click();
    await page.waitForURL(`**/console/tickets/${other}`);
    expect((await sql(`SELECT status FROM tickets WHERE reference = $1`, [reference]))[0].status).toBe('closed');
    await context.close();
  });

  it("lets an admin define an institution's custom fields and an operator set them in the ticket's panel, each refusal at its field", async () => {
    const admin = await login(app);
    const define = (body: object) =>
      request(app.getHttpServer()).post('/v1/admin/custom-fields').set('Authorization', `Bearer ${admin}`).send(body).expect(201);
    await define({
      institution: 'VSAA',
      key: 'deskCase',
      labels: { lv: 'Lietas numurs', en: 'Case number' },
      type: 'text',
      required: true,
      position: 1,
    });
    await define({ institution: 'VSAA', key: 'deskAmount', labels: { lv: 'Summa', en: 'Amount' }, type: 'number', position: 2 });

    // The admin screen: a choice field without choices is refused at the list, then added.
    const adminView = await openConsole(browser, app, 'lv', '/console/admin/fields');
    await signIn(adminView.page, ADMIN_EMAIL, ADMIN_PASSWORD);
    const create = adminView.page.getByRole('form', { name: 'Jauns papildu lauks' });
    await create.getByLabel('Iestāde').selectOption('VSAA');
    await create.getByLabel('Atslēga').fill('deskOutcome');
    await create.getByLabel('Nosaukums latviski').fill('Iznākums');
    await create.getByLabel('Nosaukums angliski').fill('Outcome');
    await create.getByLabel('Veids').selectOption('choice');
    await create.getByRole('button', { name: 'Pievienot lauku' }).click();
    await create.getByText('a choice field needs at least one choice').waitFor();
    await expect(create.getByLabel('Izvēles (katra savā rindā)').getAttribute('aria-invalid')).resolves.toBe('true');
    await create.getByLabel('Izvēles (katra savā rindā)').fill('piešķirts\natteikts');
    await create.getByRole('button', { name: 'Pievienot lauku' }).click();
    await create.getByText('Lauks pievienots.').waitFor();
    await adminView.page.locator('tr[data-field="deskOutcome"]').getByText('piešķirts, atteikts').waitFor();
    await adminView.context.close();

    const reference = await env.submitTicket(app, { institution: 'VSAA', language: 'lv', subject: 'Papildu lauki' });
    const { context, page } = await openConsole(browser, app, 'lv', `/console/tickets/${reference}`);
    await signIn(page, people.operator, password);
    const panel = page.getByRole('form', { name: 'Papildu lauki' });
    await panel.getByLabel('Summa').fill('daudz');
    // The ticket changes elsewhere while the operator types: the panel reads the fields again and keeps the typing.
    const reread = page.waitForResponse(
      (r) => r.request().method() === 'GET' && r.url().endsWith(`/v1/tickets/${reference}/custom-fields`),
    );
    await request(app.getHttpServer())
      .post(`/v1/tickets/${reference}/notes`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ text: 'Pārbaudīt summu' })
      .expect(201);
    await reread;
    await expect(panel.getByLabel('Summa').inputValue()).resolves.toBe('daudz');
    await panel.getByRole('button', { name: 'Saglabāt laukus' }).click();
    // The API's refusals (in English, by key, for any client) are said in Latvian at each field.
    await panel.getByText('Ierakstiet skaitli, piemēram, 12,50.').waitFor();
    await expect(panel.getByLabel('Summa').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByText('deskAmount takes a number').count()).resolves.toBe(0);
    await panel.getByText('Obligāts lauks: norādiet vērtību.').waitFor();
    await panel.getByLabel('Lietas numurs (obligāts)').fill('VSAA-2026-5');
    // Written as a Latvian writes it: spaces between thousands and a decimal comma.
    await panel.getByLabel('Summa').fill('1 250,5');
    await panel.getByLabel('Iznākums').selectOption('piešķirts');
    await panel.getByRole('button', { name: 'Saglabāt laukus' }).click();
    await panel.getByText('Lauki saglabāti.').waitFor();
    await expect(panel.getByLabel('Summa').inputValue()).resolves.toBe('1250,5');
    // The history names the field by its label.
    await page.locator('.timeline .entry-custom_fields_changed').getByText('Summa: — → 1250,5').waitFor();
    const ticket = await request(app.getHttpServer()).get(`/v1/tickets/${reference}`).set('Authorization', `Bearer ${admin}`).expect(200);
    expect(ticket.body.customFields).toEqual({ deskCase: 'VSAA-2026-5', deskAmount: 1250.5, deskOutcome: 'piešķirts' });
    await context.close();
  });

  it('an operator takes over a chat from the assistant; the visitor gets the answer, sees them typing, and the console shows it read', async () => {
    const visitor = await ChatVisitor.connect(app);
    visitors.push(visitor);
    await visitor.start({ language: 'lv', name: 'Līga' });
    const first = await visitor.say('Kā saņemt bezdarbnieka pabalstu?');
    const reference: string = first.reference;
    await eventually(async () => (await sql('SELECT status FROM tickets WHERE reference = $1', [reference]))[0]?.status === 'bot');
    await eventually(async () => visitor.messages('assistant').length >= 1);

    const { context, page } = await openConsole(browser, app, 'lv', '/console/chats');
    await signIn(page, people.operator, password);
    const withAssistant = page.locator('[data-group="bot"]');
    await withAssistant.getByRole('button', { name: `Pārņemt no asistenta ${reference}` }).click();
    await page.waitForURL(`**/console/chats/${reference}`);
    await page.getByRole('heading', { name: `Saruna ${reference}` }).waitFor();
    await page.locator('.chat-log .chat-visitor').getByText('Kā saņemt bezdarbnieka pabalstu?').waitFor();
    await eventually(async () => visitor.messages('system').some((m) => m.text === 'Operatore Anna pievienojās sarunai.'));
    await eventually(async () => {
      const [t] = await sql('SELECT level, status, assignee_id FROM tickets WHERE reference = $1', [reference]);
      return t.level === 1 && t.status === 'assigned' && t.assignee_id === ids.operator;
    });

    // The visitor writes and types; the operator sees both at once.
    await visitor.say('Vai var ātrāk?');
    await page.locator('.chat-log .chat-visitor').getByText('Vai var ātrāk?').waitFor();
    await visitor.request('typing', { typing: true });
    await page.getByText('Apmeklētājs raksta…').waitFor();

    // The operator types (the visitor is told) and answers; the visitor gets the answer in real time.
    await page.getByLabel('Ziņa').pressSequentially('Jā, ');
    await eventually(async () =>
      visitor.events.some((e) => e.event === 'typing' && e.payload.typing === true && e.payload.name === 'Operatore Anna'),
    );
    await page.getByLabel('Ziņa').fill('Jā, pieteikumu var iesniegt jau šodien portālā.');
    await page.getByRole('button', { name: 'Sūtīt' }).click();
    const answer = await eventually(async () =>
      visitor.messages('agent').find((m) => m.text === 'Jā, pieteikumu var iesniegt jau šodien portālā.'),
    );
    expect(answer).toMatchObject({ author: 'agent', name: 'Operatore Anna' });
    // The visitor's widget reports it read: the console marks the line.
    await visitor.request('receipt', { kind: 'read', ids: [answer.id] });
    await page.locator(`.chat-log li[data-id="${answer.id}"] .receipt-read`).waitFor();
    // The console told the visitor their lines were read.
    await eventually(async () => visitor.events.some((e) => e.event === 'receipt' && e.payload.kind === 'read'));
    const stored = await sql(
      `SELECT m.text FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE t.reference = $1 AND m.direction = 'outbound'`,
      [reference],
    );
    expect(stored.map((m) => m.text)).toContain('Jā, pieteikumu var iesniegt jau šodien portālā.');

    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'lv-chat');

    // Ending it: the visitor is told, and the console shows it ended.
    await page.getByRole('button', { name: 'Beigt sarunu' }).click();
    await page.getByText('Saruna ir beigusies.').waitFor();
    await eventually(async () => visitor.events.some((e) => e.event === 'closed' && e.payload.by === 'operator'));
    await context.close();
  });

  it('takes a handed-over chat from the waiting list and transfers it to a colleague (English)', async () => {
    const visitor = await ChatVisitor.connect(app);
    visitors.push(visitor);
    await visitor.start({ language: 'en', name: 'Peter' });
    const first = await visitor.say('How do I register a business?');
    const reference: string = first.reference;
    await eventually(async () => (await sql('SELECT status FROM tickets WHERE reference = $1', [reference]))[0]?.status === 'bot');
    await visitor.say('human please');
    await eventually(async () => (await sql('SELECT level, status FROM tickets WHERE reference = $1', [reference]))[0]?.level === 1);
    // Nobody online speaks English: it waits for a person to take it.
    await eventually(async () => (await sql('SELECT status FROM tickets WHERE reference = $1', [reference]))[0]?.status === 'queued');

    const { context, page } = await openConsole(browser, app, 'en', '/console/chats');
    await signIn(page, people.colleague, password, 'en');
    await page
      .locator('[data-group="waiting"]')
      .getByRole('button', { name: `Take ${reference}` })
      .click();
    await page.getByRole('heading', { name: `Conversation ${reference}` }).waitFor();
    await page.locator('.chat-log .chat-visitor').getByText('human please').waitFor();
    await eventually(
      async () => (await sql('SELECT assignee_id FROM tickets WHERE reference = $1', [reference]))[0].assignee_id === ids.colleague,
    );
    await page.getByLabel('Message').fill('Hello Peter, I am looking at it.');
    await page.getByLabel('Message').press('Enter');
    await eventually(async () => visitor.messages('agent').some((m) => m.text === 'Hello Peter, I am looking at it.'));
    await page.locator('[data-group="mine"]').getByText(reference, { exact: true }).waitFor();

    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'en-chat');

    const transfer = page.getByRole('form', { name: 'Assign or transfer' });
    await expect(transfer.locator(`option[value="${ids.operator}"]`).textContent()).resolves.toMatch(
      /^Operatore Anna \((Online|Away|Offline), holds \d+\)$/,
    );
    await transfer.getByLabel('Agent').selectOption(ids.operator);
    await transfer.getByRole('button', { name: 'Assign' }).click();
    await eventually(
      async () => (await sql('SELECT assignee_id FROM tickets WHERE reference = $1', [reference]))[0].assignee_id === ids.operator,
    );
    await page.waitForURL('**/console/chats');
    await context.close();
  });

  it('with Twilio configured, the softphone gets a token, loads the SDK only then, and says plainly when Twilio cannot be reached', async () => {
    const phoneApp = await env.startApi({ APP_ROLE: 'api', ...voiceConfig() });
    // With the voice channel configured (and only then) the console's CSP lets the SDK signal to Twilio.
    const csp = (await request(phoneApp.getHttpServer()).get('/console/').expect(200)).headers['content-security-policy'];
    expect(csp).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+ wss:\/\/\*\.twilio\.com https:\/\/eventgw\.twilio\.com;/);
    const tokenRes = await request(phoneApp.getHttpServer())
      .post('/v1/voice/token')
      .set('Authorization', `Bearer ${await login(phoneApp, people.operator, password)}`)
      .expect(200);
    for (const lang of ['lv', 'en'] as const) {
      // Fake timers: the pane's wait for Twilio's answer is run forward rather than waited out.
      const { context, page } = await openConsole(browser, phoneApp, lang, '/console/', { fakeClock: true });
      const scripts: string[] = [];
      page.on('request', (r) => r.resourceType() === 'script' && scripts.push(new URL(r.url()).pathname));
      await signIn(page, people.operator, password, lang);
      await page.getByRole('heading', { name: lang === 'lv' ? 'Rindas' : 'Queues' }).waitFor();
      const initial = [...scripts];
      await page.getByRole('link', { name: lang === 'lv' ? 'Tālrunis' : 'Phone' }).click();
      const pane = page.locator('section.phone[data-state="token"]');
      await pane.waitFor();
      await pane.getByText(tokenRes.body.identity).waitFor();
      // The Voice SDK is its own chunk, fetched when the pane needs it, not with the console.
      await eventually(async () => scripts.length > initial.length);
      expect(scripts.filter((s) => !initial.includes(s)).length).toBeGreaterThan(0);
      await page.clock.fastForward(25_000);
      const softphone = pane.locator('.softphone[data-phone="unreachable"]');
      await softphone.waitFor();
      await softphone.getByText(lang === 'lv' ? 'Twilio nav sasniedzams' : 'Twilio cannot be reached').waitFor();
      await softphone.getByRole('button', { name: lang === 'lv' ? 'Pārbaudīt vēlreiz' : 'Check again' }).waitFor();
      // Available / busy is the operator's presence, held by the server.
      const state = async () => (await sql(`SELECT state FROM agent_presence WHERE agent_id = $1`, [ids.operator]))[0]?.state;
      await softphone.getByRole('button', { name: lang === 'lv' ? 'Aizņemts' : 'Busy' }).click();
      await eventually(async () => (await state()) === 'away');
      await softphone.locator('button[aria-pressed="true"]', { hasText: lang === 'lv' ? 'Aizņemts' : 'Busy' }).waitFor();
      await softphone.getByRole('button', { name: lang === 'lv' ? 'Pieejams' : 'Available' }).click();
      await eventually(async () => (await state()) === 'online');
      await softphone.locator('button[aria-pressed="true"]', { hasText: lang === 'lv' ? 'Pieejams' : 'Available' }).waitFor();
      // No next caller is offered while the phone is not registered.
      await expect(
        softphone.getByRole('button', { name: lang === 'lv' ? 'Pieņemt nākamo zvanītāju' : 'Take the next caller' }).count(),
      ).resolves.toBe(0);
      expect(await seriousViolations(page)).toEqual([]);
      // Another page and back: the phone was kept, not started again (a call would have survived the visit).
      await page.getByRole('link', { name: lang === 'lv' ? 'Pieprasījumi' : 'Inbox' }).click();
      await expect(page.locator('section.phone').isVisible()).resolves.toBe(false);
      await page.getByRole('link', { name: lang === 'lv' ? 'Tālrunis' : 'Phone' }).click();
      await expect(page.locator('.softphone').getAttribute('data-phone')).resolves.toBe('unreachable');
      await context.close();
    }
  });

  for (const lang of ['lv', 'en'] as const) {
    it(`lands each role where its work is, says the phone is not configured and why, and has no serious accessibility violations (${lang})`, async () => {
      const { context, page } = await openConsole(browser, app, lang);
      await signIn(page, people.vid, password, lang);
      await page.getByRole('heading', { name: lang === 'lv' ? 'Rindas' : 'Queues' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/console/');
      // A VID specialist's queues are VID's only, as the API gives them to them.
      const vidToken = await login(app, people.vid, password);
      const own = (await request(app.getHttpServer()).get('/v1/queues').set('Authorization', `Bearer ${vidToken}`).expect(200))
        .body as any[];
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((q) => q.institution === 'VID')).toBe(true);
      await page.getByRole('button', { name: lang === 'lv' ? /^Rādīt tukšās rindas/ : /^Show empty queues/ }).click();
      await page.locator(`.queue-list button[data-queue="${own[0].queue}"]`).waitFor();
      const queues = await page
        .locator('.queue-list button[data-queue]:not([data-queue=""])')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-queue')));
      expect(queues).toEqual(own.map((q) => q.queue));
      expect(await seriousViolations(page)).toEqual([]);
      // No phone for specialists: the link is not there.
      await expect(page.getByRole('link', { name: lang === 'lv' ? 'Tālrunis' : 'Phone' }).count()).resolves.toBe(0);
      await page.getByRole('button', { name: lang === 'lv' ? 'Iziet' : 'Sign out' }).click();

      await signIn(page, people.operator, password, lang);
      await page.getByRole('heading', { name: lang === 'lv' ? 'Rindas' : 'Queues' }).waitFor();
      await page.getByRole('link', { name: lang === 'lv' ? 'Tālrunis' : 'Phone' }).click();
      const pane = page.locator('section.phone[data-state="not-configured"]');
      await pane.waitFor();
      await pane.getByText('TWILIO_ACCOUNT_SID').first().waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('link', { name: lang === 'lv' ? 'Tērzēšana' : 'Chats' }).click();
      await page.locator('[data-group="waiting"]').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('button', { name: lang === 'lv' ? 'Iziet' : 'Sign out' }).click();

      await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD, lang);
      await page.locator('[data-total="waiting"]').waitFor();
      expect(new URL(page.url()).pathname).toBe('/console/board');
      await page.getByRole('button', { name: lang === 'lv' ? 'Iziet' : 'Sign out' }).click();

      // The data protection officer's work is the audit trail; a bad filter is said at its field.
      await signIn(page, people.dpo, password, lang);
      await page.getByRole('heading', { name: lang === 'lv' ? 'Audita žurnāls' : 'Audit trail' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/console/audit');
      await page.locator('table.audit-table tbody tr').first().waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByLabel(lang === 'lv' ? 'Pieprasījums' : 'Ticket', { exact: true }).fill('nav-numurs');
      await page.getByLabel(lang === 'lv' ? 'Pieprasījums' : 'Ticket', { exact: true }).press('Enter');
      await page.getByText('ticket must be a ticket reference such as VP-2026-000123').waitFor();
      await context.close();
    });
  }
});
