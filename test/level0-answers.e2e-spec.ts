import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { InboundService } from '../src/inbound/inbound.service';
import type { InboundMessage } from '../src/inbound/inbound-message';
import { login, TestEnv } from './support/test-env';

/** Level 0 answers a written question from the knowledge base when a supervisor allows it for the topic. */
describe('Level-0 written answers', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let supervisor: string;

  const send = async (from: string, text: string, extra: Partial<InboundMessage> = {}) => {
    const accepted = await app.get(InboundService).accept({
      channel: 'email',
      externalId: `<${randomUUID()}@example.lv>`,
      from: { address: from, identifiers: [{ kind: 'email', value: from, provenance: 'channel' }] },
      autoReply: { address: from },
      text,
      ...extra,
    });
    return env.ticketOfEvent(accepted.eventId);
  };
  const botMessages = (ticketId: string) =>
    env.sql(`SELECT text, subject, address, meta FROM messages WHERE ticket_id = $1 AND author_type = 'bot' ORDER BY created_at`, [
      ticketId,
    ]);
  const setTopic = (topic: string, enabled: boolean) =>
    request(app.getHttpServer())
      .put(`/v1/admin/auto-answers/${encodeURIComponent(topic)}`)
      .set('Authorization', `Bearer ${supervisor}`)
      .send({ enabled });

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all', MAIL_FROM: 'VPPPD <pakalpojumi@example.lv>' });
    await app
      .get(AgentsService)
      .upsert({ email: 'sup@l0.test', displayName: 'Supervisore', password: 'a-long-enough-password', roles: ['supervisor'] });
    supervisor = await login(app, 'sup@l0.test', 'a-long-enough-password');
  });
  afterAll(() => env.teardown());

  it('answers nothing while the topic is off (the default): the question goes to a person with an acknowledgement', async () => {
    const t = await send('a@example.lv', 'Kā pieteikties vecuma pensijai? Kādi dokumenti vajadzīgi?');
    expect(t).toMatchObject({ institution: 'VSAA', topic: 'vecuma pensija', level: 1, status: 'queued', queue: 'VSAA' });
    const bot = await botMessages(t.id);
    expect(bot.map((m: any) => m.meta.kind)).toEqual(['acknowledgement']);
  });

  it('refuses a bad body with a field error, and staff below supervisor', async () => {
    const bad = await setTopic('vecuma pensija', 'yes' as unknown as boolean).expect(422);
    expect(JSON.stringify(bad.body)).toMatch(/enabled/);
    await app
      .get(AgentsService)
      .upsert({ email: 'op@l0.test', displayName: 'Op', password: 'a-long-enough-password', roles: ['operator'] });
    const op = await login(app, 'op@l0.test', 'a-long-enough-password');
    await request(app.getHttpServer())
      .put('/v1/admin/auto-answers/x')
      .set('Authorization', `Bearer ${op}`)
      .send({ enabled: true })
      .expect(403);
  });

  let answered: any;
  it('answers once, in Latvian, with the article, the reference and how to reach a person; resolved at level 0 and audited', async () => {
    await setTopic('Vecuma pensija', true).expect(200);
    answered = await send('b@example.lv', 'Kā pieteikties vecuma pensijai? Kādi dokumenti vajadzīgi?', { language: 'lv' });
    expect(answered).toMatchObject({ institution: 'VSAA', topic: 'vecuma pensija', level: 0, status: 'resolved', queue: null });
    expect(answered.resolved_at).not.toBeNull();
    const bot = await botMessages(answered.id);
    expect(bot).toHaveLength(1);
    expect(bot[0].meta.kind).toBe('level0-answer');
    expect(bot[0].address).toBe('b@example.lv');
    expect(bot[0].subject).toContain(`[${answered.reference}]`);
    expect(bot[0].text).toContain('Vecuma pensiju piešķir VSAA');
    expect(bot[0].text).toContain(`reģistrēts ar numuru ${answered.reference}`);
    expect(bot[0].text).toMatch(/atbildiet uz šo vēstuli: jūsu jautājumu saņems cilvēks/);
    const audit = await env.sql(`SELECT detail FROM audit_events WHERE action = 'ticket.answered_at_level0' AND subject_id = $1`, [
      answered.id,
    ]);
    expect(audit).toHaveLength(1);
    expect(audit[0].detail).toMatchObject({ reference: answered.reference, topic: 'vecuma pensija' });
    expect(await env.sql('SELECT 1 FROM escalations WHERE ticket_id = $1', [answered.id])).toHaveLength(0);
  });

  let russian: any;
  it('answers in Russian a question written in Russian', async () => {
    await setTopic('pase un personas apliecība', true).expect(200);
    const t = (russian = await send('c@example.lv', 'Как получить паспорт? Где оформить паспорт в Латвии?', { language: 'ru' }));
    expect(t).toMatchObject({ institution: 'PMLP', level: 0, status: 'resolved' });
    const [answer] = await botMessages(t.id);
    expect(answer.meta.kind).toBe('level0-answer');
    expect(answer.text).toContain('Паспорт и удостоверение личности');
    expect(answer.text).toContain(`зарегистрирован под номером ${t.reference}`);
  });

  it('hands the case to a person when the citizen replies, and sends no second answer', async () => {
    const reply = await send('b@example.lv', 'Paldies, bet man stāžs ir ārzemēs. Ko darīt tad?', {
      threadHints: { reference: answered.reference },
      subject: `Re: Atbilde [${answered.reference}]`,
    });
    expect(reply.id).toBe(answered.id);
    const t = (
      await env.sql(`SELECT t.level, t.status, q.code AS queue FROM tickets t LEFT JOIN queues q ON q.id = t.queue_id WHERE t.id = $1`, [
        answered.id,
      ])
    )[0];
    expect(t).toEqual({ level: 1, status: 'queued', queue: 'VSAA' });
    const [esc] = await env.sql('SELECT from_level, to_level, summary FROM escalations WHERE ticket_id = $1', [answered.id]);
    expect(esc).toMatchObject({ from_level: 0, to_level: 1 });
    expect(esc.summary).toContain("replied to level 0's written answer");
    expect(await botMessages(answered.id)).toHaveLength(1);
  });

  it('hands the case to a person also when the answered ticket was closed since, within the reopen window', async () => {
    await request(app.getHttpServer())
      .patch(`/v1/tickets/${russian.reference}`)
      .set('Authorization', `Bearer ${supervisor}`)
      .send({ status: 'closed' })
      .expect(200);
    await send('c@example.lv', 'Спасибо, но мне нужен паспорт срочно, за 3 дня. Можно?', {
      threadHints: { reference: russian.reference },
      language: 'ru',
    });
    const [t] = await env.sql(
      `SELECT t.level, t.status, q.code AS queue FROM tickets t LEFT JOIN queues q ON q.id = t.queue_id WHERE t.id = $1`,
      [russian.id],
    );
    expect(t).toEqual({ level: 1, status: 'queued', queue: 'PMLP' });
  });

  it('stops at once when a supervisor turns the topic off, and counts what was sent', async () => {
    await setTopic('vecuma pensija', false).expect(200);
    const t = await send('d@example.lv', 'Kā pieteikties vecuma pensijai? Kādi dokumenti vajadzīgi?', { language: 'lv' });
    expect(t).toMatchObject({ level: 1, status: 'queued', queue: 'VSAA' });
    expect((await botMessages(t.id)).map((m: any) => m.meta.kind)).toEqual(['acknowledgement']);
    const list = await request(app.getHttpServer()).get('/v1/admin/auto-answers').set('Authorization', `Bearer ${supervisor}`).expect(200);
    expect(list.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ topic: 'vecuma pensija', enabled: false, answersSent: 1 }),
        expect.objectContaining({ topic: 'pase un personas apliecība', enabled: true, answersSent: 1 }),
      ]),
    );
    const changes = await env.sql(
      `SELECT detail FROM audit_events WHERE action = 'auto_answers.changed' AND subject_id = 'vecuma pensija' ORDER BY created_at`,
    );
    expect(changes.map((c: any) => c.detail.enabled)).toEqual([true, false]);
  });
});
