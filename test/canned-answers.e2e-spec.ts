import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { login, TestEnv } from './support/test-env';

describe('canned answers, macros and tags', () => {
  const env = new TestEnv();
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const call = (who: string, method: 'post' | 'patch' | 'get' | 'put' | 'delete', url: string, body?: object) => {
    const req = request(app.getHttpServer())[method](url).set('Authorization', `Bearer ${tokens[who]}`);
    return body ? req.send(body) : req;
  };
  // One citizen for every ticket here, so two tickets differ only in what was done to them.
  const applicant = { firstName: 'Jānis', lastName: 'Bērziņš', email: 'janis.makro@example.lv', phone: '+37120000077' };
  const newTicket = (institution = 'VSAA', language = 'lv') => env.submitTicket(app, { institution, language, applicant });

  let centreAnswer: string;

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all', WEBHOOK_ALLOWED_NETWORKS: '127.0.0.1/32' });
    const agents = app.get(AgentsService);
    const staff: Array<[string, any, string[]?]> = [
      ['anna', ['operator']],
      ['juris', ['operator']],
      ['sup', ['supervisor']],
      ['admin', ['admin']],
      ['vsaa', ['specialist'], ['VSAA']],
      ['vid', ['specialist'], ['VID']],
    ];
    for (const [name, roles, institutionCodes] of staff) {
      ids[name] = await agents.upsert({
        email: `${name}@answers.test`,
        displayName: name,
        password: 'a-long-enough-password',
        roles,
        institutionCodes,
      });
      tokens[name] = await login(app, `${name}@answers.test`, 'a-long-enough-password');
    }
    await call('admin', 'put', '/v1/admin/institutions/VSAA/public-contact', { publicContact: 'VSAA, tālrunis 67021600' }).expect(200);
    await call('admin', 'post', '/v1/admin/tags', { name: 'pensijas-parrekins', institution: 'VSAA' }).expect(201);
    await call('admin', 'post', '/v1/admin/tags', { name: 'atkartots' }).expect(201);
    await call('admin', 'post', '/v1/admin/tags', { name: 'nodokli', institution: 'VID' }).expect(201);
    const created = await call('sup', 'post', '/v1/canned-answers', {
      title: 'Iesniegums saņemts',
      sharing: 'centre',
      texts: {
        lv: 'Labdien, {{customer.name}}! Jūsu iesniegums {{ticket.reference}} saņemts; atbildēsim līdz {{ticket.answerDate}}. {{institution.contact}}',
        ru: 'Здравствуйте, {{customer.name}}! Ваше заявление {{ticket.reference}} получено; ответим до {{ticket.answerDate}}. {{institution.contact}}',
        en: 'Hello {{ customer.name }}, your submission {{ticket.reference}} is received; we answer by {{ticket.answerDate}}. {{institution.contact}}',
      },
    }).expect(201);
    centreAnswer = created.body.id;
  });
  afterAll(() => env.teardown());

  it('fills the placeholders in each language from the ticket, and leaves the ones it has no value for', async () => {
    const reference = await newTicket('VSAA', 'ru');
    const ru = await call('anna', 'post', `/v1/canned-answers/${centreAnswer}/use`, { reference }).expect(200);
    expect(ru.body).toMatchObject({ language: 'ru', missing: [] });
    expect(ru.body.text).toMatch(
      new RegExp(
        `^Здравствуйте, Jānis Bērziņš! Ваше заявление ${reference} получено; ответим до \\d{1,2} [а-я]+ 20\\d\\d г\\.\\. VSAA, tālrunis 67021600$`,
      ),
    );
    const lv = await call('anna', 'post', `/v1/canned-answers/${centreAnswer}/use`, { reference, language: 'lv' }).expect(200);
    expect(lv.body.text).toMatch(
      new RegExp(
        `^Labdien, Jānis Bērziņš! Jūsu iesniegums ${reference} saņemts; atbildēsim līdz 20\\d\\d\\. gada \\d{1,2}\\. [a-zāčēģīķļņšūž]+\\. VSAA`,
      ),
    );
    const en = await call('anna', 'post', `/v1/canned-answers/${centreAnswer}/use`, { reference, language: 'en' }).expect(200);
    expect(en.body.text).toMatch(
      new RegExp(`^Hello Jānis Bērziņš, your submission ${reference} is received; we answer by \\d{1,2} [A-Z][a-z]+ 20\\d\\d\\. VSAA`),
    );

    // VID has no public contact written: the placeholder stays for the person to fill, and is named.
    const vid = await call('anna', 'post', `/v1/canned-answers/${centreAnswer}/use`, { reference: await newTicket('VID') }).expect(200);
    expect(vid.body).toMatchObject({ missing: ['institution.contact'] });
    expect(vid.body.text).toContain('{{institution.contact}}');
  });

  it('refuses an unknown or unclosed placeholder when the answer is saved, at its field', async () => {
    const res = await call('anna', 'post', '/v1/canned-answers', {
      title: 'x',
      texts: { lv: 'Labdien, {{customer.name}}!', ru: 'Здравствуйте, {{klients}}!', en: 'Dear {{customer.name}' },
    }).expect(422);
    expect(res.body.errors).toEqual([
      expect.objectContaining({ field: 'texts.ru', code: 'unknownPlaceholder' }),
      expect.objectContaining({ field: 'texts.en', code: 'unclosedPlaceholder' }),
    ]);
    const empty = await call('anna', 'post', '/v1/canned-answers', { title: 'x', texts: {} }).expect(422);
    expect(empty.body.errors[0]).toMatchObject({ field: 'texts' });
    const own = (await call('anna', 'post', '/v1/canned-answers', { title: 'Mans', texts: { lv: 'Paldies!' } }).expect(201)).body;
    const patched = await call('anna', 'patch', `/v1/canned-answers/${own.id}`, { texts: { en: 'Thanks, {{customer.nam}}' } }).expect(422);
    expect(patched.body.errors[0]).toMatchObject({ field: 'texts.en', code: 'unknownPlaceholder' });
  });

  it("keeps personal answers personal and an institution's answers to those who work its tickets", async () => {
    const own = (await call('anna', 'post', '/v1/canned-answers', { title: 'Annas sveiciens', texts: { lv: 'Sveiki!' } }).expect(201)).body;
    expect(own).toMatchObject({ sharing: 'personal', owner: { id: ids.anna } });
    await call('juris', 'get', `/v1/canned-answers/${own.id}`).expect(404);
    await call('juris', 'patch', `/v1/canned-answers/${own.id}`, { title: 'mans' }).expect(404);

    const vsaaOwn = (
      await call('vsaa', 'post', '/v1/canned-answers', {
        title: 'VSAA pensiju aprēķins',
        sharing: 'institution',
        institution: 'VSAA',
        texts: { lv: 'Pensiju aprēķina...' },
      }).expect(201)
    ).body;
    await call('vid', 'get', `/v1/canned-answers/${vsaaOwn.id}`).expect(404);
    await call('anna', 'get', `/v1/canned-answers/${vsaaOwn.id}`).expect(200); // operators answer for every institution
    expect((await call('vid', 'get', '/v1/canned-answers').expect(200)).body.items.map((a: any) => a.id)).not.toContain(vsaaOwn.id);
    expect(
      (
        await call('vid', 'post', '/v1/canned-answers', {
          title: 'x',
          sharing: 'institution',
          institution: 'VSAA',
          texts: { lv: 'x' },
        }).expect(422)
      ).body.errors[0],
    ).toMatchObject({ field: 'sharing', code: 'notAllowed' });
    expect(
      (await call('anna', 'post', '/v1/canned-answers', { title: 'x', sharing: 'centre', texts: { lv: 'x' } }).expect(422)).body.errors[0],
    ).toMatchObject({ field: 'sharing' });
    // Operators use the centre's answers but do not change them.
    await call('anna', 'patch', `/v1/canned-answers/${centreAnswer}`, { title: 'mans' }).expect(403);
    // An institution's answer is for its own tickets.
    const onVid = await call('anna', 'post', `/v1/canned-answers/${vsaaOwn.id}/use`, { reference: await newTicket('VID') }).expect(422);
    expect(onVid.body.errors[0]).toMatchObject({ field: 'reference', code: 'otherInstitution' });
    // A ticket out of the person's scope is answered as missing.
    await call('vid', 'post', `/v1/canned-answers/${centreAnswer}/use`, { reference: await newTicket('VSAA') }).expect(404);
  });

  /** Everything a change writes about a ticket, without what necessarily differs (ids, times, the reference). */
  async function footprint(reference: string) {
    const [t] = await env.sql('SELECT id FROM tickets WHERE reference = $1', [reference]);
    // The survey's links carry a token signed per ticket.
    const strip = (value: unknown) =>
      JSON.parse(
        JSON.stringify(value ?? null)
          .split(reference)
          .join('REF')
          .replace(/\/v1\/csat\/[^?\s"]+/g, '/v1/csat/TOKEN'),
      );
    const rows = async (sql: string) => strip(await env.sql(sql, [t.id]));
    return {
      ticket:
        await rows(`SELECT status, kind, level, priority, topic, language, assignee_id, queue_id, institution_id, sla_policy_id, sla_state,
                                first_response_at IS NOT NULL AS responded, resolved_at IS NOT NULL AS resolved, closed_at IS NOT NULL AS closed,
                                sla_due_at IS NOT NULL AS sla_due, resolution_due_at IS NOT NULL AS resolution_due FROM tickets WHERE id = $1`),
      messages:
        await rows(`SELECT direction, author_type, author_agent_id, channel, text, html, address, internal, delivery_status IS NOT NULL AS delivered
                            FROM messages WHERE ticket_id = $1 ORDER BY created_at, direction`),
      // By action: a macro's steps share one transaction, and so one time, where the manual steps follow each other.
      audit: await rows(
        `SELECT actor_agent_id, action, subject_type, detail - 'requestId' AS detail FROM audit_events WHERE subject_id = $1::text ORDER BY action, created_at`,
      ),
      escalations: await rows(
        `SELECT from_level, to_level, from_queue_id, to_queue_id, to_institution_id, reason, summary, comment, actor_agent_id FROM escalations WHERE ticket_id = $1 ORDER BY created_at`,
      ),
      webhooks: await rows(
        `SELECT d.event, d.payload - 'occurredAt' AS payload FROM webhook_deliveries d WHERE d.payload->>'reference' = (SELECT reference FROM tickets WHERE id = $1) ORDER BY d.created_at`,
      ),
      slaClocks: await rows(
        `SELECT metric, policy_id, status, measure, cycle, extended, running_since IS NOT NULL AS running FROM sla_clocks WHERE ticket_id = $1 ORDER BY metric`,
      ),
      slaEvents: await rows(`SELECT metric, kind, policy_id, cycle FROM sla_clock_events WHERE ticket_id = $1 ORDER BY id`),
      tags: await rows(
        `SELECT g.name, tt.added_by_id FROM ticket_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.ticket_id = $1 ORDER BY g.name`,
      ),
      corrections: await rows(`SELECT institution_id, topic, kind, agent_id FROM classification_corrections WHERE ticket_id = $1`),
    };
  }

  it('writes exactly what the same manual steps write: messages, history, audit, webhooks, SLA clocks, tags', async () => {
    await call('admin', 'post', '/v1/admin/webhooks', {
      institution: 'VSAA',
      url: 'http://127.0.0.1:9/vsaa',
      secret: 'vsaa-shared-webhook-secret-0123456789abcdef',
      events: ['ticket.escalated', 'ticket.closed'],
    }).expect(201);
    const macro = (
      await call('sup', 'post', '/v1/macros', {
        name: 'Pārrēķins: atbildēt un nodot VSAA',
        sharing: 'institution',
        institution: 'VSAA',
        cannedAnswerId: centreAnswer,
        kind: 'application',
        tags: ['pensijas-parrekins', 'atkartots'],
        escalation: { queue: 'VSAA-L2', reason: 'Vajadzīgs VSAA lēmums' },
      }).expect(201)
    ).body;
    expect(macro).toMatchObject({
      sharing: 'institution',
      institution: 'VSAA',
      cannedAnswer: { id: centreAnswer },
      tags: ['pensijas-parrekins', 'atkartots'],
      escalation: { queue: 'VSAA-L2' },
    });

    const [byHand, byMacro] = [await newTicket(), await newTicket()];
    const text = (await call('anna', 'post', `/v1/canned-answers/${centreAnswer}/use`, { reference: byHand }).expect(200)).body.text;
    await call('anna', 'post', `/v1/tickets/${byHand}/replies`, { text }).expect(202);
    await call('anna', 'patch', `/v1/tickets/${byHand}`, { kind: 'application' }).expect(200);
    await call('anna', 'post', `/v1/tickets/${byHand}/tags`, { tags: ['pensijas-parrekins', 'atkartots'] }).expect(200);
    await call('anna', 'post', `/v1/tickets/${byHand}/escalations`, {
      toLevel: 2,
      queue: 'VSAA-L2',
      reason: 'Vajadzīgs VSAA lēmums',
    }).expect(201);

    const applied = await call('anna', 'post', `/v1/tickets/${byMacro}/macros/${macro.id}`, {}).expect(200);
    expect(applied.body.applied.map((s: any) => s.step)).toEqual(['reply', 'update', 'tags', 'escalation']);

    const [hand, auto] = [await footprint(byHand), await footprint(byMacro)];
    expect(auto).toEqual(hand);
    // And it is what it should be, not merely the same: the reply as the person's, the move, the webhook.
    expect(hand.messages.filter((m: any) => m.author_type === 'agent')).toEqual([
      expect.objectContaining({ author_agent_id: ids.anna, text: expect.stringContaining('Jānis Bērziņš'), internal: false }),
    ]);
    expect(hand.audit.map((a: any) => a.action)).toEqual(expect.arrayContaining(['ticket.updated', 'ticket.tagged', 'ticket.escalated']));
    expect(hand.audit.filter((a: any) => a.actor_agent_id === ids.anna).length).toBe(3);
    expect(hand.webhooks.map((w: any) => w.event)).toEqual(['ticket.escalated']);
    expect(hand.ticket[0]).toMatchObject({ level: 2, kind: 'application', status: 'queued', responded: true });

    // Counted once for the macro and once for its answer (the manual use counted the answer once more).
    const usage = await call('sup', 'get', '/v1/canned-answers/usage').expect(200);
    expect(usage.body.items.find((u: any) => u.id === macro.id)).toMatchObject({ type: 'macro', uses: 1, agents: 1, tickets: 1 });
    expect(usage.body.items.find((u: any) => u.id === centreAnswer).uses).toBeGreaterThanOrEqual(2);
    await call('anna', 'get', '/v1/canned-answers/usage').expect(403);
  });

  it('closes with the same webhook and survey as a person closing it', async () => {
    const macro = (
      await call('anna', 'post', '/v1/macros', { name: 'Atbildēt un slēgt', cannedAnswerId: centreAnswer, status: 'closed' }).expect(201)
    ).body;
    expect(macro).toMatchObject({ sharing: 'personal', status: 'closed' });
    const [byHand, byMacro] = [await newTicket(), await newTicket()];
    const text = (await call('anna', 'post', `/v1/canned-answers/${centreAnswer}/use`, { reference: byHand }).expect(200)).body.text;
    await call('anna', 'post', `/v1/tickets/${byHand}/replies`, { text }).expect(202);
    await call('anna', 'patch', `/v1/tickets/${byHand}`, { status: 'closed' }).expect(200);
    await call('anna', 'post', `/v1/tickets/${byMacro}/macros/${macro.id}`, {}).expect(200);
    const [hand, auto] = [await footprint(byHand), await footprint(byMacro)];
    expect(auto).toEqual(hand);
    expect(hand.webhooks.map((w: any) => w.event)).toEqual(['ticket.closed']);
    expect(hand.ticket[0]).toMatchObject({ status: 'closed', closed: true });
    // Another operator cannot use anna's personal macro.
    await call('juris', 'post', `/v1/tickets/${await newTicket()}/macros/${macro.id}`, {}).expect(404);
  });

  it('makes every step or none: a step refused midway leaves the ticket exactly as it was', async () => {
    const macro = (
      await call('sup', 'post', '/v1/macros', {
        name: 'Atbildēt, atzīmēt un nodot VSAA',
        sharing: 'institution',
        institution: 'VSAA',
        cannedAnswerId: centreAnswer,
        kind: 'application',
        tags: ['atkartots'],
        escalation: { queue: 'VSAA-L2', reason: 'Vajadzīgs VSAA lēmums' },
      }).expect(201)
    ).body;
    const reference = await newTicket();
    // Someone moved it there already: the macro's last step is refused after its reply, kind and tags were made.
    await call('juris', 'post', `/v1/tickets/${reference}/escalations`, { toLevel: 2, queue: 'VSAA-L2', reason: 'Jau nodots' }).expect(201);
    const before = await footprint(reference);
    const refused = await call('anna', 'post', `/v1/tickets/${reference}/macros/${macro.id}`, {}).expect(422);
    expect(refused.body.errors[0]).toMatchObject({ field: 'toLevel', code: 'unchanged' });
    expect(refused.body.applied).toBeUndefined();
    expect(await footprint(reference)).toEqual(before);
    expect(before.messages.filter((m: any) => m.author_type === 'agent')).toEqual([]);
    expect(await env.sql('SELECT count(*)::int AS n FROM answer_uses WHERE macro_id = $1', [macro.id])).toEqual([{ n: 0 }]);
  });

  it('checks a macro when it is saved, and refuses it where it does not belong', async () => {
    const bad = await call('sup', 'post', '/v1/macros', {
      name: 'x',
      sharing: 'centre',
      tags: ['pensijas-parrekins'],
      status: 'resolved',
      escalation: { queue: 'NO-SUCH', reason: 'x' },
    }).expect(422);
    expect(bad.body.errors.map((e: any) => `${e.field}:${e.code}`).sort()).toEqual([
      'escalation.queue:unknown',
      'status:withEscalation',
      'tags[0]:unknownTag',
    ]);
    await call('sup', 'post', '/v1/macros', { name: 'nothing' }).expect(422);
    const personal = (await call('sup', 'post', '/v1/canned-answers', { title: 'mans', texts: { lv: 'x' } }).expect(201)).body;
    const notShared = await call('sup', 'post', '/v1/macros', { name: 'x', sharing: 'centre', cannedAnswerId: personal.id }).expect(422);
    expect(notShared.body.errors[0]).toMatchObject({ field: 'cannedAnswerId', code: 'notShared' });

    const vsaaMacro = (
      await call('sup', 'post', '/v1/macros', {
        name: 'VSAA birka',
        sharing: 'institution',
        institution: 'VSAA',
        tags: ['pensijas-parrekins'],
      }).expect(201)
    ).body;
    const onVid = await call('anna', 'post', `/v1/tickets/${await newTicket('VID')}/macros/${vsaaMacro.id}`, {}).expect(422);
    expect(onVid.body.errors[0]).toMatchObject({ field: 'macro', code: 'otherInstitution' });
    await call('vid', 'post', `/v1/tickets/${await newTicket('VSAA')}/macros/${vsaaMacro.id}`, {}).expect(404);
    await call('vid', 'get', `/v1/macros/${vsaaMacro.id}`).expect(404);
    // The answer a macro replies with stays while the macro does.
    const answer = (
      await call('anna', 'post', '/v1/canned-answers', { title: 'a', texts: { lv: 'Paldies, {{customer.name}}!' } }).expect(201)
    ).body;
    const uses = (await call('anna', 'post', '/v1/macros', { name: 'm', cannedAnswerId: answer.id }).expect(201)).body;
    await call('anna', 'delete', `/v1/canned-answers/${answer.id}`).expect(409);
    await call('anna', 'delete', `/v1/macros/${uses.id}`).expect(204);
    await call('anna', 'delete', `/v1/canned-answers/${answer.id}`).expect(204);
  });

  it("tags tickets from the ticket's vocabulary, filters the inbox by tag and reports by tag within scope", async () => {
    const [a, b, c] = [await newTicket('VSAA'), await newTicket('VSAA'), await newTicket('VID')];
    const added = await call('anna', 'post', `/v1/tickets/${a}/tags`, { tags: ['Pensijas-Parrekins'.toLowerCase(), 'atkartots'] }).expect(
      200,
    );
    expect(added.body.tags).toEqual(['atkartots', 'pensijas-parrekins']);
    await call('anna', 'post', `/v1/tickets/${a}/tags`, { tags: ['atkartots'] }).expect(200); // once only
    await call('anna', 'post', `/v1/tickets/${b}/tags`, { tags: ['pensijas-parrekins'] }).expect(200);
    await call('anna', 'post', `/v1/tickets/${c}/tags`, { tags: ['nodokli', 'atkartots'] }).expect(200);
    const wrong = await call('anna', 'post', `/v1/tickets/${c}/tags`, { tags: ['atkartots', 'pensijas-parrekins'] }).expect(422);
    expect(wrong.body.errors).toEqual([expect.objectContaining({ field: 'tags[1]', code: 'unknownTag' })]);
    await call('anna', 'post', `/v1/tickets/${c}/tags`, { tags: ['Not A Tag'] }).expect(422);
    await call('vid', 'post', `/v1/tickets/${a}/tags`, { tags: ['atkartots'] }).expect(404);

    const detail = await call('juris', 'get', `/v1/tickets/${a}`).expect(200);
    expect(detail.body.tags).toEqual(['atkartots', 'pensijas-parrekins']);
    expect(detail.body.timeline.filter((e: any) => e.type === 'tagged')).toEqual([
      expect.objectContaining({ actorAgentId: ids.anna, tags: ['pensijas-parrekins', 'atkartots'] }),
    ]);

    const listed = await call('juris', 'get', '/v1/tickets?tag=atkartots&limit=200').expect(200);
    const found = listed.body.items.map((t: any) => t.reference);
    expect(found).toEqual(expect.arrayContaining([a, c]));
    expect(found).not.toContain(b);
    expect(listed.body.items.every((t: any) => t.tags.includes('atkartots'))).toBe(true);
    // A specialist filtering by a tag sees only their institution's tickets with it.
    const vid = await call('vid', 'get', '/v1/tickets?tag=atkartots&limit=200').expect(200);
    expect(vid.body.items.map((t: any) => t.reference)).toContain(c);
    expect(vid.body.items.map((t: any) => t.reference)).not.toContain(a);

    await call('anna', 'delete', `/v1/tickets/${a}/tags/atkartots`).expect(200);
    await call('anna', 'delete', `/v1/tickets/${a}/tags/atkartots`).expect(404);
    expect(
      (await call('juris', 'get', '/v1/tickets?tag=atkartots&limit=200').expect(200)).body.items.map((t: any) => t.reference),
    ).not.toContain(a);

    const report = await call('sup', 'get', '/v1/reports/tags').expect(200);
    const row = (tag: string, items: any[]) => items.find((r) => r.tag === tag);
    expect(row('nodokli', report.body.items)).toMatchObject({ institution: 'VID', tickets: 1, open: 1 });
    expect(row('pensijas-parrekins', report.body.items).tickets).toBeGreaterThanOrEqual(2);
    const vidReport = await call('vid', 'get', '/v1/reports/tags').expect(200);
    expect(row('pensijas-parrekins', vidReport.body.items)).toBeUndefined();
    expect(row('atkartots', vidReport.body.items)).toMatchObject({ tickets: 1 });
    const csv = await call('sup', 'get', '/v1/reports/tags?format=csv').expect(200);
    expect(csv.text.split(/\r?\n/)[0]).toBe('tag,institution,tickets,open,resolved');

    // The vocabulary: admins keep it, everyone reads their part of it.
    const vocabulary = await call('vid', 'get', '/v1/tags').expect(200);
    expect(vocabulary.body.items.map((t: any) => t.name).sort()).toEqual(['atkartots', 'nodokli']);
    expect((await call('admin', 'post', '/v1/admin/tags', { name: 'atkartots' }).expect(422)).body.errors[0]).toMatchObject({
      field: 'name',
      code: 'taken',
    });
    expect((await call('admin', 'post', '/v1/admin/tags', { name: 'Ar Atstarpēm' }).expect(422)).body.errors[0]).toMatchObject({
      field: 'name',
    });
    await call('sup', 'post', '/v1/admin/tags', { name: 'x' }).expect(403);
  });
});
