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
    await form.getByRole('button', { name: 'Add agent' }).click();
    const passwordField = form.getByLabel('Password', { exact: true });
    await page.locator('#agent-new-password-error').getByText(/password/).waitFor();
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
    const [agent] = await env.sql(`SELECT display_name, roles, languages, capacity, active FROM agents WHERE email = $1`, ['jauna.operatore@vpppd.test']);
    expect(agent).toMatchObject({ display_name: 'Jaunā Operatore Zane', roles: ['operator'], active: true });
    expect([...agent.languages].sort()).toEqual(['lv', 'ru']);
    expect(agent.capacity).toMatchObject({ chat: 3 });
    // The new person can sign in with the password the admin gave.
    await request(app.getHttpServer()).post('/v1/auth/login').send({ email: 'jauna.operatore@vpppd.test', password: 'Zane strādā ar krievu valodu 2026' }).expect(200);

    // Disabling the account from its edit form: it can no longer sign in.
    await page.getByRole('button', { name: 'Edit Jaunā Operatore Zane' }).click();
    const edit = page.getByRole('form', { name: 'Edit agent: Jaunā Operatore Zane' });
    await edit.getByLabel(/Account active/).uncheck();
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.getByText('Saved.').waitFor();
    await page.locator('tr[data-agent="jauna.operatore@vpppd.test"]').getByText('disabled').waitFor();
    await request(app.getHttpServer()).post('/v1/auth/login').send({ email: 'jauna.operatore@vpppd.test', password: 'Zane strādā ar krievu valodu 2026' }).expect(403);

    // A routing rule: Russian-language VID contacts to VID's queue. A position that is not a number is said at its field.
    await page.getByRole('navigation', { name: 'Administration sections' }).getByRole('link', { name: 'Queues and routing' }).click();
    await page.waitForURL('**/console/admin/routing');
    const rule = page.getByRole('form', { name: 'Add a routing rule' });
    const [vidQueue] = await env.sql(`SELECT q.code FROM queues q JOIN institutions i ON i.id = q.institution_id WHERE i.code = 'VID' AND q.level = 1 LIMIT 1`);
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
    const row = page.getByRole('table', { name: 'Routing rules' }).getByRole('row').filter({ hasText: vidQueue.code }).filter({ hasText: 'Russian' });
    await row.getByRole('button', { name: 'Turn off' }).click();
    await row.getByRole('button', { name: 'Turn on' }).waitFor();
    await expect(env.sql(`SELECT active FROM routing_rules WHERE position = 5`)).resolves.toEqual([{ active: false }]);
    await context.close();
  });

  it('shows each role only what it may do, and the API still refuses the rest', async () => {
    const operator = await openConsole(browser, app, 'lv');
    await signIn(operator.page, people.operator, password);
    await operator.page.getByRole('heading', { name: 'Pieprasījumi' }).waitFor();
    const nav = operator.page.getByRole('navigation', { name: 'Galvenā navigācija' });
    for (const hidden of ['Atskaites', 'SLA notikumi', 'Administrēšana']) expect(await nav.getByRole('link', { name: hidden }).count()).toBe(0);
    await operator.page.goto(`${baseUrl(app)}/console/admin/agents`);
    await operator.page.getByText('Šādas lapas nav.').waitFor();
    expect(await operator.page.getByRole('form').count()).toBe(0);
    await operator.context.close();
    const token = (await request(app.getHttpServer()).post('/v1/auth/login').send({ email: people.operator, password }).expect(200)).body.accessToken;
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
    const supToken = (await request(app.getHttpServer()).post('/v1/auth/login').send({ email: people.supervisor, password }).expect(200)).body.accessToken;
    await request(app.getHttpServer()).post('/v1/admin/routing-rules').set('Authorization', `Bearer ${supToken}`).send({ position: 1, queue: 'GENERAL' }).expect(403);
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

    const [download] = await Promise.all([page.waitForEvent('download'), volumes.getByRole('button', { name: 'Download CSV: Volumes by month' }).click()]);
    expect(download.suggestedFilename()).toBe('volumes.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\n')[0]).toContain('month,institution,channel,kind,category,tickets');
    expect(csv).toContain('VSAA');

    const funding = page.getByRole('region', { name: 'Funding report' });
    await funding.getByText(/Centre VPPPD/).waitFor();
    const [fundingCsv] = await Promise.all([page.waitForEvent('download'), funding.getByRole('button', { name: 'Download CSV: Funding report' }).click()]);
    expect(fundingCsv.suggestedFilename()).toMatch(/^funding-VPPPD-\d{4}-\d{2}\.csv$/);
    // A centre the API does not know: its refusal is said at the centre's field.
    await funding.getByLabel(/Centre/).fill('NO SUCH');
    await funding.getByRole('button', { name: 'Show' }).click();
    await page.locator('#funding-centre-error').waitFor();
    await expect(funding.getByLabel(/Centre/).getAttribute('aria-describedby')).resolves.toBe('funding-centre-error');
    await context.close();
  });

  for (const lang of ['lv', 'en'] as const) {
    it(`has no serious or critical accessibility violations on the reports, SLA events and admin pages (${lang}), and shows them`, async () => {
      const reference = await env.submitTicket(app, { subject: lang === 'lv' ? 'Par nodokļiem' : 'About taxes', institution: 'VID' });
      await breach(reference);
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
      await context.close();
    });
  }
});
