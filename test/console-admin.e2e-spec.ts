import { INestApplication } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { launchBrowser, screenshot, seriousViolations } from './support/browser';
import { buildConsole, openConsole, signIn, baseUrl } from './support/console-app';
import { ADMIN_EMAIL, ADMIN_PASSWORD, TestEnv } from './support/test-env';

/**
 * The console's supervisor reports, SLA events feed and admin screens in a real browser (Debian's chromium through
 * playwright-core) against the real built service, PostgreSQL and Redis.
 */
describe('the console: reports and admin screens', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let browser: Browser;
  const password = 'a long enough passphrase for staff';
  const people = { supervisor: 'vaditaja@vpppd.test', operator: 'operators.admin@vpppd.test' };

  beforeAll(async () => {
    buildConsole();
    app = await env.startApi({ APP_ROLE: 'all' });
    const agents = app.get(AgentsService);
    await agents.upsert({ email: people.supervisor, displayName: 'Vadītāja Laura', password, roles: ['supervisor'] });
    await agents.upsert({ email: people.operator, displayName: 'Operators Jānis', password, roles: ['operator'] });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await env.teardown();
  });

  /** An SLA breach of a ticket, as the SLA timers record it (so the feed has something to show). */
  async function breach(reference: string, kind: 'warning' | 'breached' = 'breached'): Promise<void> {
    await env.sql(
      `INSERT INTO sla_events (ticket_id, policy_id, metric, kind, cycle, at, actions)
       SELECT t.id, (SELECT id FROM sla_policies ORDER BY name LIMIT 1), 'first_response', $2, 1, now(), '[{"type":"raise_priority","applied":true}]'
       FROM tickets t WHERE t.reference = $1`,
      [reference, kind],
    );
  }

  it('an admin adds an agent and a routing rule through the forms; a bad value is shown at its field', async () => {
    const { context, page } = await openConsole(browser, app, 'en', '/console/admin/agents');
    await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD, 'en');
    await page.waitForURL('**/console/admin/agents');
    const form = page.getByRole('form', { name: 'Add an agent' });
    await form.getByLabel('Email address').fill('jauna.operatore@vpppd.test');
    await form.getByLabel('Name').fill('Jaunā Operatore Zane');
    // A password the API refuses: its reason appears at the password field, tied to it.
    await form.getByLabel('Password', { exact: true }).fill('short');
    await form.getByRole('group', { name: 'Roles' }).getByLabel('operator').check();
    await form.getByRole('group', { name: 'Languages' }).getByLabel('Russian').check();
    // Institutions are offered by name as well as code: not everyone knows the codes by heart.
    await form.getByRole('group', { name: 'Institutions' }).getByLabel('VSAA – State Social Insurance Agency').waitFor();
    // She works at the Cēsis one-stop centre: her work is that centre's evidence in the funding report.
    await form.getByLabel('Centre').selectOption({ label: 'VPVKAC Cēsis' });
    await form.getByRole('button', { name: 'Add agent' }).click();
    const passwordField = form.getByLabel('Password', { exact: true });
    await page
      .locator('#agent-new-password-error')
      .getByText(/password/)
      .waitFor();
    await expect(passwordField.getAttribute('aria-describedby')).resolves.toContain('agent-new-password-error');
    await expect(passwordField.getAttribute('aria-invalid')).resolves.toBe('true');
    // A capacity that is not a whole number: said at the capacity group.
    await form.getByLabel('Chat').fill('lots');
    await passwordField.fill('Zane strādā ar krievu valodu 2026');
    await form.getByRole('button', { name: 'Add agent' }).click();
    await page.locator('#agent-new-capacity-error').getByText('capacity.chat must be a whole number from 0 to 100').waitFor();
    expect(await page.locator('#agent-new-password-error').count()).toBe(0);
    await form.getByLabel('Chat').fill('3');
    await form.getByRole('button', { name: 'Add agent' }).click();
    await form.getByText('Agent added: Jaunā Operatore Zane.').waitFor();
    await page.locator('tr[data-agent="jauna.operatore@vpppd.test"]').waitFor();
    const [agent] = await env.sql(`SELECT display_name, roles, languages, capacity, active, centre FROM agents WHERE email = $1`, [
      'jauna.operatore@vpppd.test',
    ]);
    expect(agent).toMatchObject({ display_name: 'Jaunā Operatore Zane', roles: ['operator'], active: true, centre: 'VPVKAC-CESIS' });
    await page.locator('tr[data-agent="jauna.operatore@vpppd.test"]').getByText('VPVKAC Cēsis').waitFor();
    expect([...agent.languages].sort()).toEqual(['lv', 'ru']);
    expect(agent.capacity).toMatchObject({ chat: 3 });
    // The new person can sign in with the password the admin gave.
    await request(app.getHttpServer())
      .post('/v1/auth/login')
      .send({ email: 'jauna.operatore@vpppd.test', password: 'Zane strādā ar krievu valodu 2026' })
      .expect(200);

    // Disabling the account from its edit form: it can no longer sign in.
    await page.getByRole('button', { name: 'Edit Jaunā Operatore Zane' }).click();
    const edit = page.getByRole('form', { name: 'Edit agent: Jaunā Operatore Zane' });
    await edit.getByLabel(/Account active/).uncheck();
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.getByText('Saved.').waitFor();
    await page.locator('tr[data-agent="jauna.operatore@vpppd.test"]').getByText('disabled').waitFor();
    await request(app.getHttpServer())
      .post('/v1/auth/login')
      .send({ email: 'jauna.operatore@vpppd.test', password: 'Zane strādā ar krievu valodu 2026' })
      .expect(403);

    // A routing rule: Russian-language VID contacts to VID's queue. A position that is not a number is said at its field.
    await page.getByRole('navigation', { name: 'Administration sections' }).getByRole('link', { name: 'Queues and routing' }).click();
    await page.waitForURL('**/console/admin/routing');
    const rule = page.getByRole('form', { name: 'Add a routing rule' });
    const [vidQueue] = await env.sql(
      `SELECT q.code FROM queues q JOIN institutions i ON i.id = q.institution_id WHERE i.code = 'VID' AND q.level = 1 LIMIT 1`,
    );
    await rule.getByLabel('Position').fill('first');
    await rule.getByLabel('Institution').selectOption('VID');
    await rule.getByLabel('Language').selectOption('ru');
    await rule.getByLabel('Queue').selectOption(vidQueue.code);
    await rule.getByRole('button', { name: 'Add rule' }).click();
    await page.locator('#rule-new-position-error').waitFor();
    await expect(rule.getByLabel('Position').getAttribute('aria-describedby')).resolves.toContain('rule-new-position-error');
    await rule.getByLabel('Position').fill('5');
    await rule.getByRole('button', { name: 'Add rule' }).click();
    await rule.getByText('Rule added.').waitFor();
    const rules = await env.sql(
      `SELECT r.position, r.language, i.code AS institution, q.code AS queue, r.active FROM routing_rules r
       LEFT JOIN institutions i ON i.id = r.institution_id JOIN queues q ON q.id = r.queue_id`,
    );
    expect(rules).toContainEqual({ position: 5, language: 'ru', institution: 'VID', queue: vidQueue.code, active: true });
    // It is in the list, and can be turned off from there.
    const row = page
      .getByRole('table', { name: 'Routing rules' })
      .getByRole('row')
      .filter({ hasText: vidQueue.code })
      .filter({ hasText: 'Russian' });
    await row.getByRole('button', { name: 'Turn off' }).click();
    await row.getByRole('button', { name: 'Turn on' }).waitFor();
    await expect(env.sql(`SELECT active FROM routing_rules WHERE position = 5`)).resolves.toEqual([{ active: false }]);
    // Moved up where it is shown: a new position saved on Enter; one the API refuses is said at that field.
    const position = row.getByLabel('Position of rule 5');
    await position.fill('');
    await position.press('Enter');
    await expect(position.inputValue()).resolves.toBe('5');
    await position.fill('-1');
    await position.press('Enter');
    await row.locator('[id$="-position-error"]').waitFor();
    await position.fill('1');
    await position.press('Enter');
    await page.getByRole('table', { name: 'Routing rules' }).getByLabel('Position of rule 1').waitFor();
    await expect(env.sql(`SELECT position FROM routing_rules WHERE language = 'ru'`)).resolves.toEqual([{ position: 1 }]);
    // A queue renamed in its row; its code, which rules and reports use, stays.
    const queueName = page.getByLabel(`Name of queue ${vidQueue.code}`, { exact: true });
    await queueName.fill('VID krievu valodā');
    await queueName.press('Enter');
    await page.locator(`tr[data-queue="${vidQueue.code}"]`).getByText('Saved.').waitFor();
    await expect(env.sql(`SELECT name FROM queues WHERE code = $1`, [vidQueue.code])).resolves.toEqual([{ name: 'VID krievu valodā' }]);
    await context.close();
  });

  it('an admin adds a mailbox and a webhook subscription; an internal webhook address is refused at its field', async () => {
    const { context, page } = await openConsole(browser, app, 'lv', '/console/admin/mailboxes');
    await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
    const mailbox = page.getByRole('form', { name: 'Pievienot e-pasta kasti' });
    await mailbox.getByLabel('Īsais nosaukums').fill('VID Kaste');
    await mailbox.getByLabel('Adrese, uz kuru raksta').fill('vid@pakalpojumi.example.lv');
    await mailbox.getByLabel('Iestāde').selectOption('VID');
    await mailbox.getByLabel('IMAP serveris').fill('imap.example.lv');
    await mailbox.getByLabel('Lietotājvārds').fill('vid');
    await mailbox.getByLabel('Parole', { exact: true }).fill('imap password of vid');
    await mailbox.getByLabel('Lasīt šo kasti').uncheck();
    await mailbox.getByRole('button', { name: 'Pievienot kasti' }).click();
    // Upper case is not a mailbox name: the API's words, at the name's field.
    await page.locator('#mailbox-new-name-error').getByText('name must be 1-64 lower-case letters, digits, _ or -').waitFor();
    await mailbox.getByLabel('Īsais nosaukums').fill('vid');
    await mailbox.getByRole('button', { name: 'Pievienot kasti' }).click();
    await mailbox.getByText('Kaste pievienota: vid.').waitFor();
    await page.locator('tr[data-mailbox="vid"]').waitFor();
    await expect(
      env.sql(`SELECT m.address, i.code, m.enabled FROM mailboxes m JOIN institutions i ON i.id = m.institution_id WHERE m.name = 'vid'`),
    ).resolves.toEqual([{ address: 'vid@pakalpojumi.example.lv', code: 'VID', enabled: false }]);

    await page.getByRole('navigation', { name: 'Administrēšanas sadaļas' }).getByRole('link', { name: 'Tīmekļa āķi' }).click();
    const hook = page.getByRole('form', { name: 'Pievienot abonementu' });
    await hook.getByLabel('Iestāde', { exact: true }).selectOption('VID');
    await hook.getByLabel('Adrese (URL)').fill('http://169.254.169.254/latest');
    await hook.getByLabel('Paraksta noslēpums').fill('a signing secret of at least 32 characters');
    await hook.getByRole('group', { name: 'Notikumi' }).getByLabel('slēgts').check();
    await hook.getByRole('button', { name: 'Pievienot abonementu' }).click();
    await page.locator('#webhook-new-url-error').waitFor();
    await expect(hook.getByLabel('Adrese (URL)').getAttribute('aria-invalid')).resolves.toBe('true');
    await hook.getByLabel('Adrese (URL)').fill('https://93.184.216.34/vpppd');
    await hook.getByRole('button', { name: 'Pievienot abonementu' }).click();
    await hook.getByText('Abonements pievienots.').waitFor();
    const row = page.locator('tr[data-webhook="https://93.184.216.34/vpppd"]');
    await row.getByText('nodots iestādei, slēgts').waitFor();
    await row.getByRole('button', { name: 'Apturēt' }).click();
    await row.getByRole('button', { name: 'Atsākt' }).waitFor();
    await expect(env.sql(`SELECT url, events, active FROM webhook_subscriptions`)).resolves.toEqual([
      { url: 'https://93.184.216.34/vpppd', events: ['ticket.escalated', 'ticket.closed'], active: false },
    ]);
    // The institution moved its system: the address is changed in place, checked like a new one, the secret kept.
    const [{ secret }] = await env.sql(`SELECT secret FROM webhook_subscriptions`);
    await row.getByRole('button', { name: 'Labot: https://93.184.216.34/vpppd' }).click();
    const edit = page.getByRole('form', { name: 'Labot abonementu: https://93.184.216.34/vpppd' });
    await edit.getByLabel('Adrese (URL)').fill('http://127.0.0.1/vpppd');
    await edit.getByRole('button', { name: 'Saglabāt' }).click();
    await edit.locator('[id$="-url-error"]').waitFor();
    await edit.getByLabel('Adrese (URL)').fill('https://93.184.216.34/vpppd/v2');
    await edit.getByRole('group', { name: 'Notikumi' }).getByLabel('slēgts').uncheck();
    await edit.getByRole('button', { name: 'Saglabāt' }).click();
    await edit.getByText('Saglabāts.').waitFor();
    await page.locator('tr[data-webhook="https://93.184.216.34/vpppd/v2"]').waitFor();
    await expect(env.sql(`SELECT url, events, secret FROM webhook_subscriptions`)).resolves.toEqual([
      { url: 'https://93.184.216.34/vpppd/v2', events: ['ticket.escalated'], secret },
    ]);
    await context.close();
  });

  it('an admin adds an SLA policy with targets and a breach action; a goal over 100 % is refused at its field', async () => {
    const { context, page } = await openConsole(browser, app, 'en', '/console/admin/sla');
    await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD, 'en');
    const form = page.getByRole('form', { name: 'Add an SLA policy' });
    await form.getByLabel('Name', { exact: true }).fill('VID chat, fast');
    await form.getByLabel('Channel').selectOption('chat');
    await form.getByLabel('Institution').selectOption('VID');
    await form.getByLabel(/^Goal/).fill('150');
    const first = form.getByRole('group', { name: 'First response' });
    await first.getByLabel('Value').fill('5400');
    await first.getByLabel('Unit').selectOption('calendar_seconds');
    await form.getByRole('button', { name: 'Add an action' }).click();
    await form.getByLabel('Action 1', { exact: true }).selectOption('escalate');
    // A reroute names its queue from the list of queues rather than a typed code.
    await form.getByRole('button', { name: 'Add an action' }).click();
    await form.getByLabel('Action 2', { exact: true }).selectOption('reroute');
    await form.getByLabel('Queue', { exact: true }).selectOption('GENERAL');
    await form.getByRole('button', { name: 'Add policy' }).click();
    await page.locator('#policy-new-goalPercent-error').waitFor();
    await expect(form.getByLabel(/^Goal/).getAttribute('aria-describedby')).resolves.toBe('policy-new-goalPercent-error');
    await form.getByLabel(/^Goal/).fill('85');
    await form.getByRole('button', { name: 'Add policy' }).click();
    await form.getByText('Policy added: VID chat, fast.').waitFor();
    // A target in seconds is shown as hours and minutes, as staff read it.
    await page.locator('tr[data-policy="VID chat, fast"]').getByText('1\u00a0h 30\u00a0min of calendar time').waitFor();
    await page.getByRole('columnheader', { name: 'First response', exact: true }).waitFor();
    const [policy] = await env.sql(
      `SELECT p.channel, i.code, p.first_response, p.resolution, p.goal_percent, p.breach_actions FROM sla_policies p JOIN institutions i ON i.id = p.institution_id WHERE p.name = 'VID chat, fast'`,
    );
    expect(policy).toEqual({
      channel: 'chat',
      code: 'VID',
      first_response: { value: 5400, unit: 'calendar_seconds' },
      resolution: null,
      goal_percent: 85,
      breach_actions: [
        { type: 'escalate', level: 2 },
        { type: 'reroute', queue: 'GENERAL' },
      ],
    });
    await context.close();
  });

  it('an admin writes a knowledge-base article in Russian and publishes it; an empty answer is refused at its field', async () => {
    const { context, page } = await openConsole(browser, app, 'en', '/console/admin/knowledge');
    await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD, 'en');
    const form = page.getByRole('form', { name: 'New article' });
    await form.getByLabel('Language').selectOption('ru');
    await form.getByLabel('Institution').selectOption('VSAA');
    await form.getByLabel('Wordings of the question').fill('Когда выплачивают пенсию?\nКакого числа приходит пенсия?');
    await form.getByLabel('Published').check();
    await form.getByRole('button', { name: 'Add article' }).click();
    await page.locator('#article-new-answer-error').waitFor();
    await expect(form.getByLabel('Answer').getAttribute('aria-invalid')).resolves.toBe('true');
    await form.getByLabel('Answer').fill('Пенсию выплачивают ежемесячно, в день, указанный в решении VSAA.');
    await form.getByRole('button', { name: 'Add article' }).click();
    await form.getByText('Article added.').waitFor();
    await page.locator('tr[data-article="Когда выплачивают пенсию?"]').getByText('published').waitFor();
    const [article] = await env.sql(
      `SELECT a.language, a.questions, a.published, i.code FROM knowledge_articles a JOIN institutions i ON i.id = a.institution_id WHERE 'Когда выплачивают пенсию?' = ANY(a.questions)`,
    );
    expect(article).toEqual({
      language: 'ru',
      questions: ['Когда выплачивают пенсию?', 'Какого числа приходит пенсия?'],
      published: true,
      code: 'VSAA',
    });
    // Search finds it at once, as the suggestions will.
    const token = (
      await request(app.getHttpServer()).post('/v1/auth/login').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }).expect(200)
    ).body.accessToken;
    const found = (
      await request(app.getHttpServer())
        .get('/v1/knowledge/search')
        .query({ q: 'когда пенсия', language: 'ru' })
        .set('Authorization', `Bearer ${token}`)
        .expect(200)
    ).body;
    expect(JSON.stringify(found)).toContain('Пенсию выплачивают ежемесячно');
    await context.close();
  });

  it("an admin records a transferred working day and changes a centre's week, each refusal at its field", async () => {
    const { context, page } = await openConsole(browser, app, 'en', '/console/admin/calendar');
    await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD, 'en');
    const form = page.getByRole('form', { name: 'Add a transfer or a holiday' });
    await form.getByLabel('Kind').selectOption('transfer');
    await form.getByLabel('Day off').fill('2027-05-03');
    await form.getByLabel('Name or reference').fill('MK rīkojums Nr. 1');
    // A transfer without the day worked instead: said at that field.
    await form.getByRole('button', { name: 'Add' }).click();
    await page.locator('#adjustment-new-workedOn-error').getByText('a transfer names the day worked instead').waitFor();
    await form.getByLabel('Worked on').fill('2027-05-08');
    await form.getByRole('button', { name: 'Add' }).click();
    await form.getByText('Added: 2027-05-03.').waitFor();
    await page.locator('tr[data-adjustment="2027-05-03"]').getByText('transferred working day').waitFor();
    await expect(
      env.sql(
        `SELECT kind, to_char(date, 'YYYY-MM-DD') AS date, to_char(worked_on, 'YYYY-MM-DD') AS worked_on FROM calendar_adjustments WHERE date = '2027-05-03'`,
      ),
    ).resolves.toEqual([{ kind: 'transfer', date: '2027-05-03', worked_on: '2027-05-08' }]);

    // The week: an hour that does not exist is refused at its day; then Friday shortened.
    const week = page.getByRole('form', { name: 'VPPPD: the usual week' });
    await week.getByLabel('Friday').fill('08:30–25:00');
    await week.getByRole('button', { name: 'Save the week' }).click();
    await page.locator('[id="week-hours.fri-error"]').waitFor();
    await expect(week.getByLabel('Friday').getAttribute('aria-invalid')).resolves.toBe('true');
    await week.getByLabel('Friday').fill('08:30–15:30');
    await week.getByRole('button', { name: 'Save the week' }).click();
    await week.getByText('Saved.').waitFor();
    const [hours] = await env.sql(`SELECT hours FROM business_hours WHERE centre = 'VPPPD'`);
    expect(hours.hours.fri).toEqual([['08:30', '15:30']]);

    // A special date: closed on 24 December.
    const special = page.getByRole('form', { name: 'Set the hours of a date' });
    await special.getByLabel('Date').fill('2027-12-24');
    await special.getByRole('button', { name: 'Set' }).click();
    await page.locator('tr[data-special="2027-12-24"]').getByText('closed').waitFor();
    const [after] = await env.sql(`SELECT special_hours FROM business_hours WHERE centre = 'VPPPD'`);
    expect(after.special_hours['2027-12-24']).toEqual([]);
    await context.close();
  });

  it('an admin edits the IVR menu as a tree: a choice without a title is refused at its field before saving', async () => {
    const { context, page } = await openConsole(browser, app, 'en', '/console/admin/ivr');
    await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD, 'en');
    await page.getByRole('heading', { name: 'IVR menu' }).waitFor();
    const before = await env.sql(`SELECT key FROM ivr_nodes`);
    await page
      .locator('li[data-node="main"] > fieldset')
      .getByRole('button', { name: /^Add a choice/ })
      .click();
    const added = page.locator('li[data-node="main-1"]');
    await added.waitFor();
    await added.getByLabel('Answer (lv)').fill('Klientu centrs strādā darba dienās no 8.30 līdz 17.00.');
    // No title in the main menu: the check says so at that field, and nothing is saved.
    await page.getByRole('button', { name: 'Check and save' }).click();
    await page.locator('[id="ivr-main-1-title.lv-error"]').waitFor();
    await expect(added.getByLabel('Title in the menu (lv)').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(env.sql(`SELECT key FROM ivr_nodes`)).resolves.toEqual(before);
    await added.getByLabel('Title in the menu (lv)').fill('Darba laiks');
    // Every offered language (VOICE_EXTRA_LANGUAGES: en, ru) needs its title and its answer.
    await added.getByLabel('Title in the menu (en)').fill('Opening hours');
    await added.getByLabel('Answer (en)').fill('The centre works on working days from 8.30 to 17.00.');
    await added.getByLabel('Title in the menu (ru)').fill('Часы работы');
    await added.getByLabel('Answer (ru)').fill('Центр работает по рабочим дням с 8.30 до 17.00.');
    await page.getByRole('button', { name: 'Check and save' }).click();
    await page.getByText('Menu saved; the next calls hear it.').waitFor();
    const [node] = await env.sql(`SELECT parent_key, digit, kind, title, prompt FROM ivr_nodes WHERE key = 'main-1'`);
    expect(node).toMatchObject({
      parent_key: 'main',
      digit: '6',
      kind: 'answer',
      title: { lv: 'Darba laiks', en: 'Opening hours', ru: 'Часы работы' },
    });
    expect(node.prompt.lv).toEqual({ text: 'Klientu centrs strādā darba dienās no 8.30 līdz 17.00.' });
    await context.close();
  });

  it('shows each role only what it may do, and the API still refuses the rest', async () => {
    const operator = await openConsole(browser, app, 'lv');
    await signIn(operator.page, people.operator, password);
    await operator.page.getByRole('heading', { name: 'Pieprasījumi' }).waitFor();
    const nav = operator.page.getByRole('navigation', { name: 'Galvenā navigācija' });
    for (const hidden of ['Atskaites', 'SLA notikumi', 'Administrēšana'])
      expect(await nav.getByRole('link', { name: hidden }).count()).toBe(0);
    await operator.page.goto(`${baseUrl(app)}/console/admin/agents`);
    await operator.page.getByText('Šādas lapas nav.').waitFor();
    expect(await operator.page.getByRole('form').count()).toBe(0);
    await operator.context.close();
    const token = (await request(app.getHttpServer()).post('/v1/auth/login').send({ email: people.operator, password }).expect(200)).body
      .accessToken;
    await request(app.getHttpServer()).get('/v1/admin/agents').set('Authorization', `Bearer ${token}`).expect(403);
    await request(app.getHttpServer()).get('/v1/reports/funding').set('Authorization', `Bearer ${token}`).expect(403);
    await request(app.getHttpServer()).get('/v1/sla/events').set('Authorization', `Bearer ${token}`).expect(403);

    // A supervisor: reports and the SLA feed, not administration (which the API refuses them too).
    const sup = await openConsole(browser, app, 'lv');
    await signIn(sup.page, people.supervisor, password);
    const supNav = sup.page.getByRole('navigation', { name: 'Galvenā navigācija' });
    await supNav.getByRole('link', { name: 'Atskaites' }).waitFor();
    await supNav.getByRole('link', { name: 'SLA notikumi' }).waitFor();
    expect(await supNav.getByRole('link', { name: 'Administrēšana' }).count()).toBe(0);
    await sup.context.close();
    const supToken = (await request(app.getHttpServer()).post('/v1/auth/login').send({ email: people.supervisor, password }).expect(200))
      .body.accessToken;
    await request(app.getHttpServer())
      .post('/v1/admin/routing-rules')
      .set('Authorization', `Bearer ${supToken}`)
      .send({ position: 1, queue: 'GENERAL' })
      .expect(403);
  });

  it('shows the SLA events feed, the latest first, each with its ticket', async () => {
    const first = await env.submitTicket(app, { subject: 'Nokavēts pieprasījums', institution: 'VSAA' });
    const second = await env.submitTicket(app, { subject: 'Brīdinājums', institution: 'VID' });
    await breach(first);
    await breach(second, 'warning');
    const { context, page } = await openConsole(browser, app, 'en', '/console/sla-events');
    await signIn(page, people.supervisor, password, 'en');
    await page.getByRole('heading', { name: 'SLA events' }).waitFor();
    const rows = page.locator('tbody tr');
    await rows.first().waitFor();
    await expect(rows.nth(0).getByRole('link').textContent()).resolves.toBe(second);
    await expect(rows.nth(0).textContent()).resolves.toContain('Warning');
    await expect(rows.nth(1).textContent()).resolves.toContain('Breached');
    await expect(rows.nth(1).textContent()).resolves.toContain('priority raised');
    // The metric stands alone in its cell, so it starts with a capital.
    await rows.nth(0).getByRole('cell', { name: 'First response', exact: true }).waitFor();
    await page.getByLabel('Event', { exact: true }).selectOption('breached');
    await page.locator(`tbody tr a:text("${second}")`).waitFor({ state: 'detached' });
    await rows.getByRole('link', { name: first }).click();
    await page.waitForURL(`**/console/tickets/${first}`);
    await context.close();
  });

  it('draws the monthly reports and downloads each as the API’s CSV', async () => {
    const reference = await env.submitTicket(app, { subject: 'Par atskaitēm', institution: 'VSAA' });
    const { context, page } = await openConsole(browser, app, 'en', '/console/reports');
    await signIn(page, people.supervisor, password, 'en');
    await page.getByRole('heading', { name: 'Monthly reports' }).waitFor();
    const volumes = page.getByRole('region', { name: 'Volumes by month' });
    await volumes.getByRole('img', { name: /Bar chart: tickets by month, \d+ in all/ }).waitFor();
    await volumes.getByText('Figures as a table').click();
    await volumes.getByRole('cell', { name: 'VSAA' }).first().waitFor();
    expect(reference).toMatch(/^VP-/);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      volumes.getByRole('button', { name: 'Download CSV: Volumes by month' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('volumes.csv');
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.split('\n')[0]).toContain('month,institution,channel,kind,category,tickets');
    expect(csv).toContain('VSAA');

    const funding = page.getByRole('region', { name: 'Funding report' });
    await funding.getByText(/Centre VPPPD/).waitFor();
    const [fundingCsv] = await Promise.all([
      page.waitForEvent('download'),
      funding.getByRole('button', { name: 'Download CSV: Funding report' }).click(),
    ]);
    expect(fundingCsv.suggestedFilename()).toMatch(/^funding-VPPPD-\d{4}-\d{2}\.csv$/);
    // A centre the API does not know: its refusal is said at the centre's field.
    await funding.getByLabel(/Centre/).fill('NO SUCH');
    await funding.getByRole('button', { name: 'Show' }).click();
    await page.locator('#funding-centre-error').waitFor();
    await expect(funding.getByLabel(/Centre/).getAttribute('aria-describedby')).resolves.toBe('funding-centre-error');
    await context.close();
  });

  it('lets an admin work the lists and forms with the keyboard: arrows between rows, Edit opens at the first field, Escape closes', async () => {
    const { context, page } = await openConsole(browser, app, 'en', '/console/admin/agents');
    await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD, 'en');
    const rows = page.locator('tr[data-agent]');
    await rows.nth(1).waitFor();
    const first = rows.nth(0).getByRole('button', { name: /^Edit / });
    const second = rows.nth(1).getByRole('button', { name: /^Edit / });
    await first.focus();
    await page.keyboard.press('ArrowDown');
    await expect(second.evaluate((b) => b === (globalThis as any).document.activeElement)).resolves.toBe(true);
    await page.keyboard.press('ArrowUp');
    await expect(first.evaluate((b) => b === (globalThis as any).document.activeElement)).resolves.toBe(true);
    await page.keyboard.press('ArrowDown');

    // Enter opens the row in the edit form, the focus at its first field and the row marked as the one edited.
    const name = await rows.nth(1).locator('th').textContent();
    await page.keyboard.press('Enter');
    const edit = page.getByRole('form', { name: `Edit agent: ${name}` });
    await edit.waitFor();
    await expect(page.evaluate(() => (globalThis as any).document.activeElement?.id)).resolves.toBe('agent-edit-email');
    await expect(rows.nth(1).getAttribute('aria-current')).resolves.toBe('true');
    expect(await seriousViolations(page)).toEqual([]);

    // Escape closes it without saving, and the focus is back on the row's Edit button.
    const emails = await env.sql(`SELECT email FROM agents ORDER BY email`);
    await page.keyboard.type('x');
    await page.keyboard.press('Escape');
    await edit.waitFor({ state: 'detached' });
    await page.waitForFunction(() => (globalThis as any).document.activeElement?.getAttribute('data-edit-key') !== null);
    await expect(second.evaluate((b) => b === (globalThis as any).document.activeElement)).resolves.toBe(true);
    expect(await rows.nth(1).getAttribute('aria-current')).toBeNull();
    await expect(env.sql(`SELECT email FROM agents ORDER BY email`)).resolves.toEqual(emails);
    await page.getByRole('form', { name: 'Add an agent' }).waitFor();

    // A delete asks first: declined, the mailbox stays.
    await request(app.getHttpServer())
      .post('/v1/admin/mailboxes')
      .set('Authorization', `Bearer ${await adminToken()}`)
      .send({
        name: 'keyboard',
        address: 'keyboard@example.lv',
        host: 'imap.example.lv',
        port: 993,
        tls: true,
        username: 'k',
        password: 'imap password',
        enabled: false,
      })
      .expect(201);
    await page.getByRole('navigation', { name: 'Administration sections' }).getByRole('link', { name: 'Mailboxes' }).click();
    const row = page.locator('tr[data-mailbox="keyboard"]');
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await row.getByRole('button', { name: 'Delete keyboard' }).click();
    expect(asked).toEqual(['Stop reading mailbox keyboard? Its tickets stay.']);
    await expect(env.sql(`SELECT name FROM mailboxes WHERE name = 'keyboard'`)).resolves.toEqual([{ name: 'keyboard' }]);
    // From its edit form, agreed: it is gone, and so is the form.
    await row.getByRole('button', { name: 'Edit keyboard' }).click();
    const form = page.getByRole('form', { name: /keyboard/ });
    page.once('dialog', (dialog) => void dialog.accept());
    await form.getByRole('button', { name: 'Delete keyboard' }).click();
    await row.waitFor({ state: 'detached' });
    await form.waitFor({ state: 'detached' });
    await expect(env.sql(`SELECT name FROM mailboxes WHERE name = 'keyboard'`)).resolves.toEqual([]);
    await context.close();
  });

  async function adminToken(): Promise<string> {
    return (await request(app.getHttpServer()).post('/v1/auth/login').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }).expect(200))
      .body.accessToken;
  }

  for (const lang of ['lv', 'en'] as const) {
    // Thirteen pages, each checked by axe and photographed: more than jest's minute on a shared, loaded machine.
    it(`has no serious or critical accessibility violations on the reports, SLA events and admin pages (${lang}), and shows them`, async () => {
      const reference = await env.submitTicket(app, { subject: lang === 'lv' ? 'Par nodokļiem' : 'About taxes', institution: 'VID' });
      await breach(reference);
      // A field to show on the custom-fields screen (whichever language runs first adds it).
      const token = await adminToken();
      const defined = await request(app.getHttpServer()).get('/v1/admin/custom-fields').set('Authorization', `Bearer ${token}`).expect(200);
      if (!defined.body.items.some((f: { key: string }) => f.key === 'decision'))
        await request(app.getHttpServer())
          .post('/v1/admin/custom-fields')
          .set('Authorization', `Bearer ${token}`)
          .send({
            institution: 'VSAA',
            key: 'decision',
            labels: { lv: 'Lēmums', en: 'Decision' },
            type: 'choice',
            choices: ['piešķirts', 'atteikts'],
          })
          .expect(201);
      const { context, page } = await openConsole(browser, app, lang, '/console/reports');
      await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD, lang);
      const nav = page.getByRole('navigation', { name: lang === 'lv' ? 'Galvenā navigācija' : 'Main navigation' });

      await page.getByRole('heading', { name: lang === 'lv' ? 'Mēneša atskaites' : 'Monthly reports' }).waitFor();
      await page.locator('[data-report="funding"] dl.figures').waitFor();
      await page.locator('[data-report="csat"] canvas').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, `${lang}-reports`);

      await nav.getByRole('link', { name: lang === 'lv' ? 'SLA notikumi' : 'SLA events' }).click();
      await page.getByRole('link', { name: reference }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, `${lang}-sla-events`);

      await nav.getByRole('link', { name: lang === 'lv' ? 'Administrēšana' : 'Administration' }).click();
      await page.locator('tr[data-agent]').first().waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, `${lang}-admin-agents`);

      await page.getByRole('link', { name: lang === 'lv' ? 'Rindas un maršrutēšana' : 'Queues and routing' }).click();
      await page.locator('tr[data-queue]').first().waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, `${lang}-admin-routing`);

      for (const [section, name] of [
        ['sla', lang === 'lv' ? 'SLA politikas' : 'SLA policies'],
        ['calendar', lang === 'lv' ? 'Kalendārs' : 'Calendar'],
        ['ivr', lang === 'lv' ? 'IVR izvēlne' : 'IVR menu'],
        ['knowledge', lang === 'lv' ? 'Zināšanu bāze' : 'Knowledge base'],
        ['mailboxes', lang === 'lv' ? 'E-pasta kastes' : 'Mailboxes'],
        ['webhooks', lang === 'lv' ? 'Tīmekļa āķi' : 'Webhooks'],
        ['fields', lang === 'lv' ? 'Papildu lauki' : 'Custom fields'],
      ]) {
        await page.getByRole('link', { name, exact: true }).click();
        await page.waitForURL(`**/console/admin/${section}`);
        await page
          .locator(section === 'ivr' ? 'li[data-node="main"]' : section === 'fields' ? 'tr[data-field]' : 'form.admin-form')
          .first()
          .waitFor();
        expect(await seriousViolations(page)).toEqual([]);
        await screenshot(page, `${lang}-admin-${section}`);
      }
      await context.close();
    }, 150_000);
  }
});
