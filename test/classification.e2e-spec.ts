import { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { InboundService } from '../src/inbound/inbound.service';
import type { InboundMessage } from '../src/inbound/inbound-message';
import { JobName, QueueName } from '../src/queues';
import { eventually, login, TestEnv } from './support/test-env';

/** Level 0 classifies free-text contacts: routing by predicted institution and topic, unclassified to the general queue, corrections retrain. */
describe('Classification of free-text contacts', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let operator: string;

  /** A citizen's e-mail to the state's general mailbox (no institution of its own), as the mail reader hands it in. */
  const email = async (text: string, extra: Partial<InboundMessage> = {}) => {
    const address = `${randomUUID().slice(0, 8)}@example.lv`;
    const accepted = await app.get(InboundService).accept({
      channel: 'email',
      externalId: `<${randomUUID()}@example.lv>`,
      from: { address, identifiers: [{ kind: 'email', value: address, provenance: 'channel' }] },
      text,
      ...extra,
    });
    return env.ticketOfEvent(accepted.eventId);
  };

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all', CLASSIFIER_MIN_CONFIDENCE: '0.3' });
    await app
      .get(AgentsService)
      .upsert({ email: 'op@class.test', displayName: 'Operatore', password: 'a-long-enough-password', roles: ['operator'] });
    operator = await login(app, 'op@class.test', 'a-long-enough-password');
  });
  afterAll(() => env.teardown());

  it('routes a Latvian e-mail about an old-age pension to VSAA, with the model version and confidence on the ticket', async () => {
    const t = await email(
      'Labdien! Man nākamgad būs pensionēšanās vecums. Kā pieteikties vecuma pensijai un vai jāņem līdzi darba grāmatiņa?',
    );
    expect(t).toMatchObject({ institution: 'VSAA', queue: 'VSAA', topic: 'vecuma pensija', unclassified: false, level: 1 });
    const [model] = await env.sql('SELECT max(version) AS version FROM classifier_models');
    expect(t.classifier_version).toBe(model.version);
    expect(t.classifier_confidence).toBeGreaterThanOrEqual(0.3);
  });

  it("routes one about an income tax return to VID's queue", async () => {
    const t = await email('Sveiki, kā iesniegt gada ienākumu deklarāciju EDS par pagājušo gadu? Gribu atgūt nodokli par zobārstniecību.');
    expect(t).toMatchObject({ institution: 'VID', queue: 'VID', topic: 'gada ienākumu deklarācija', unclassified: false });
  });

  it("routes one in Russian about a passport to PMLP's queue", async () => {
    const t = await email(
      'Здравствуйте! Срок действия моего паспорта заканчивается, как оформить новый паспорт и нужно ли записываться заранее?',
      { language: 'ru' },
    );
    expect(t).toMatchObject({ institution: 'PMLP', queue: 'PMLP', unclassified: false, language: 'ru' });
  });

  it('sends one about nothing in particular to the general queue, marked unclassified and saying why', async () => {
    const t = await email('Labdien! Vienkārši gribēju pateikt paldies, lai jums visiem jauka diena.');
    expect(t).toMatchObject({ institution: null, queue: 'GENERAL', unclassified: true, topic: null });
    expect(t.classifier_version).not.toBeNull();
    const [esc] = await env.sql('SELECT summary FROM escalations WHERE ticket_id = $1', [t.id]);
    expect(esc.summary).toMatch(/^unclassified: level 0 could not tell the institution/);
    const shown = await request(app.getHttpServer())
      .get(`/v1/tickets/${t.reference}`)
      .set('Authorization', `Bearer ${operator}`)
      .expect(200);
    expect(shown.body.classification).toEqual({
      modelVersion: t.classifier_version,
      confidence: t.classifier_confidence,
      unclassified: true,
    });
  });

  it('keeps what the channel says: a web form naming an institution is not reclassified', async () => {
    const t = await email('Kā pieteikties vecuma pensijai?', {
      channel: 'webform',
      institutionCode: 'VID',
      topic: 'EDS',
      kind: 'application',
    });
    expect(t).toMatchObject({ institution: 'VID', topic: 'EDS', kind: 'application', classifier_version: null, unclassified: false });
  });

  it("learns an operator's correction: after retraining, a similar text goes where the operator sent the first", async () => {
    const question = 'Kur jāreģistrē suņa mikroshēma un kā ierakstīt suni mājdzīvnieku reģistrā?';
    const first = await email(question);
    expect(first.institution).not.toBe('LAD');

    // The operator sends it to LAD and sets its topic: both are kept as a labelled example.
    await request(app.getHttpServer())
      .post(`/v1/tickets/${first.reference}/escalations`)
      .set('Authorization', `Bearer ${operator}`)
      .send({ toLevel: 1, institution: 'LAD', reason: 'Mājdzīvnieku reģistrs', summary: 'Jautājums par suņa reģistrāciju' })
      .expect(201);
    await request(app.getHttpServer())
      .patch(`/v1/tickets/${first.reference}`)
      .set('Authorization', `Bearer ${operator}`)
      .send({ topic: 'mājdzīvnieku reģistrs' })
      .expect(200);
    const [correction] = await env.sql(
      `SELECT i.code, c.topic FROM classification_corrections c JOIN institutions i ON i.id = c.institution_id WHERE c.ticket_id = $1`,
      [first.id],
    );
    expect(correction).toEqual({ code: 'LAD', topic: 'mājdzīvnieku reģistrs' });

    // The scheduled retraining job, run now.
    const [before] = await env.sql('SELECT max(version)::int AS version FROM classifier_models');
    await app.get<Queue>(getQueueToken(QueueName.Classifier)).add(JobName.RetrainClassifier, {}, { jobId: `retrain-${randomUUID()}` });
    await eventually(async () => (await env.sql('SELECT max(version)::int AS v FROM classifier_models'))[0].v > before.version || null);
    const [trained] = await env.sql('SELECT version, correction_count FROM classifier_models ORDER BY version DESC LIMIT 1');
    expect(trained.correction_count).toBeGreaterThanOrEqual(1);

    const next = await eventually(async () => {
      const t = await email('Kā ierakstīt kucēnu mājdzīvnieku reģistrā, ja tam jau ir mikroshēma?');
      return t.classifier_version === trained.version ? t : null;
    });
    expect(next).toMatchObject({ institution: 'LAD', queue: 'LAD', topic: 'mājdzīvnieku reģistrs', unclassified: false });
  });
});
