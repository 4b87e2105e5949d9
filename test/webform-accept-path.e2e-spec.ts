import { INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { InboundService } from '../src/inbound/inbound.service';
import { statementsSent } from '../src/database/database-options';
import { webformSubmission } from './support/factories';
import { signedSubmission, TestEnv } from './support/test-env';

/**
 * What the API sends to PostgreSQL to accept a web-form submission (an API-only instance: the ticket is made by a
 * worker later): the event row with its reference drawn in the same statement, nothing else once warm.
 */
describe('web-form accept path', () => {
  const env = new TestEnv();
  let app: INestApplication;

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'api' });
    // Warm: the year's reference sequence and the institutions are read once per process, not per submission.
    await signedSubmission(app, webformSubmission()).expect(202);
  });
  afterAll(() => env.teardown());

  it('accepts a submission with one statement', async () => {
    const dataSource = app.get<DataSource>(getDataSourceToken());
    const before = statementsSent(dataSource);
    await signedSubmission(app, webformSubmission()).expect(202);
    expect(statementsSent(dataSource) - before).toBe(1);
  });

  it('accepts events that arrive together with one statement for all, without a transaction around it', async () => {
    const dataSource = app.get<DataSource>(getDataSourceToken());
    const inbound = app.get(InboundService);
    const events = ['a', 'b', 'c'].map((n) => ({
      channel: 'voice' as const,
      externalId: `CA${randomUUID().replace(/-/g, '')}`,
      from: { identifiers: [] },
      text: `call ${n}`,
    }));
    const before = statementsSent(dataSource);
    const accepted = await inbound.acceptMany(events);
    expect(statementsSent(dataSource) - before).toBe(1);
    expect(accepted.map((a) => a.status)).toEqual(['accepted', 'accepted', 'accepted']);
    // Again: every one a replay, found with its first acceptance.
    expect((await inbound.acceptMany(events)).map((a) => a.eventId)).toEqual(accepted.map((a) => a.eventId));
  });

  it('stores what a payload and an id hold as they arrived, quotes and backslashes included, and finds a replay by that id', async () => {
    const inbound = app.get(InboundService);
    // A mail header can carry anything; half a surrogate pair is stored as U+FFFD, as a text parameter always was.
    const externalId = `<"odd"\\id\ud800 ${randomUUID()}@example.lv>`;
    const text = 'Citāts: "pēdiņas", \\ atpakaļsvītra, {"json": [1]} un jauna\nrinda';
    const event = { channel: 'email' as const, externalId, from: { identifiers: [] }, text, meta: { nested: { a: '"' } } };
    const [first] = await inbound.acceptMany([event]);
    expect(first).toMatchObject({ status: 'accepted', duplicate: false });
    const [row] = await env.sql(`SELECT external_id, payload FROM inbound_events WHERE id = $1`, [first.eventId]);
    expect(row.external_id).toBe(externalId.toWellFormed());
    expect(row.payload).toMatchObject({ externalId: externalId.toWellFormed(), text, meta: { nested: { a: '"' } } });
    const [again] = await inbound.acceptMany([event]);
    expect(again).toMatchObject({ eventId: first.eventId, duplicate: true });
  });

  it('numbers submissions accepted together in one statement each with its own reference, and a replay with its first one', async () => {
    const bodies = Array.from({ length: 8 }, () => webformSubmission());
    const answers = await Promise.all(bodies.map((b) => signedSubmission(app, b).expect(202)));
    const references = answers.map((a) => a.body.reference as string);
    expect(references.every((r) => /^VP-\d{4}-\d{6}$/.test(r))).toBe(true);
    expect(new Set(references).size).toBe(bodies.length);
    const again = await signedSubmission(app, bodies[3]).expect(202);
    expect(again.body.reference).toBe(references[3]);
    const stored = await env.sql(`SELECT external_id, reference FROM inbound_events WHERE external_id = ANY($1)`, [
      bodies.map((b) => b.submissionId),
    ]);
    expect(Object.fromEntries(stored.map((r) => [r.external_id, r.reference]))).toEqual(
      Object.fromEntries(bodies.map((b, i) => [b.submissionId, references[i]])),
    );
  });
});
