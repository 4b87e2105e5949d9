import { signTimestampedHmac } from '@lib/webhook-signature';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { metaSignature as signMeta } from '../bench/support/webhook-signing';
import { webformSubmission } from './support/factories';
import { TestEnv, WEBFORM_SECRET } from './support/test-env';

const APP_SECRET = 'meta-app-secret-for-the-raw-body-test';
const metaSignature = (raw: string) => signMeta(APP_SECRET, raw);

/** The same object written otherwise: keys in reverse order, spaces and a newline, as a sender's serialiser might. */
function respaced(value: unknown): string {
  if (Array.isArray(value)) return `[ ${value.map(respaced).join(' , ')} ]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).reverse();
    return `{\n  ${entries.map(([k, v]) => `${JSON.stringify(k)} : ${respaced(v)}`).join(',\n  ')}\n}`;
  }
  return JSON.stringify(value);
}

/**
 * A signature covers the bytes that were sent, not the object they parse into. The framework parses the body for
 * the controllers; the signature must still be checked against the exact bytes, so a body that the framework (or
 * anyone on the way) re-serialises into the same object with other bytes fails it.
 */
describe('signed webhooks verify the exact raw bytes', () => {
  const env = new TestEnv();
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'api', META_APP_SECRET: APP_SECRET, META_VERIFY_TOKEN: 'verify-raw-body' });
  });
  afterAll(() => env.teardown());

  const metaEvent = (mid: string) => ({
    object: 'page',
    entry: [
      {
        id: 'PAGE1',
        time: Date.now(),
        messaging: [
          { sender: { id: 'PSID-RAW' }, recipient: { id: 'PAGE1' }, timestamp: Date.now(), message: { mid, text: 'Labdien, Rīga' } },
        ],
      },
    ],
  });
  const events = (externalId: string) => env.sql(`SELECT 1 FROM inbound_events WHERE external_id = $1`, [externalId]);

  it('Meta: accepts the signed bytes as sent (any spacing and key order), refuses the same object re-serialised', async () => {
    const event = metaEvent('m_raw_exact');
    const sent = respaced(event);
    expect(JSON.parse(sent)).toEqual(event);
    expect(sent).not.toEqual(JSON.stringify(event));
    await http()
      .post('/v1/channels/social/meta/webhook')
      .set('Content-Type', 'application/json')
      .set('X-Hub-Signature-256', metaSignature(sent))
      .send(sent)
      .expect(200);
    expect(await events('messenger:m_raw_exact')).toHaveLength(1);

    const original = respaced(metaEvent('m_raw_reserialised'));
    const reserialised = JSON.stringify(JSON.parse(original));
    expect(reserialised).not.toEqual(original);
    const refused = await http()
      .post('/v1/channels/social/meta/webhook')
      .set('Content-Type', 'application/json')
      .set('X-Hub-Signature-256', metaSignature(original))
      .send(reserialised)
      .expect(403);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await events('messenger:m_raw_reserialised')).toHaveLength(0);
  });

  it('Meta: a gzip-encoded body is checked against its decoded bytes', async () => {
    const sent = respaced(metaEvent('m_raw_gzip'));
    // fetch sends the compressed bytes as they are (supertest would serialise a Buffer under a JSON type).
    const res = await fetch(`${await app.getUrl()}/v1/channels/social/meta/webhook`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'X-Hub-Signature-256': metaSignature(sent) },
      body: gzipSync(sent),
    });
    expect(res.status).toBe(200);
    expect(await events('messenger:m_raw_gzip')).toHaveLength(1);
  });

  it('web form: accepts the signed bytes as sent, refuses the same submission re-serialised', async () => {
    const form = webformSubmission();
    const sent = respaced(form);
    const at = Math.floor(Date.now() / 1000);
    const accepted = await http()
      .post('/v1/channels/webform/submissions')
      .set('Content-Type', 'application/json')
      .set('X-Signature', signTimestampedHmac(WEBFORM_SECRET, sent, at))
      .send(sent)
      .expect(202);
    expect(accepted.body.reference).toEqual(expect.any(String));

    const other = webformSubmission();
    const original = respaced(other);
    const refused = await http()
      .post('/v1/channels/webform/submissions')
      .set('Content-Type', 'application/json')
      .set('X-Signature', signTimestampedHmac(WEBFORM_SECRET, original, at))
      .send(JSON.stringify(JSON.parse(original)))
      .expect(401);
    expect(refused.body).toMatchObject({ type: 'urn:vpppd:problem:signature-mismatch', status: 401 });
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await env.sql(`SELECT 1 FROM inbound_events WHERE channel = 'webform' AND external_id = $1`, [other.submissionId])).toHaveLength(
      0,
    );
  });
});
