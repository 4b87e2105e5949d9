import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import request from 'supertest';
import { metaBody, metaSignature as signMeta, telegramHeaders } from '../bench/support/webhook-signing';
import { AgentsService } from '../src/agents/agents.service';
import { SocialMediaProcessor } from '../src/channels/social/social-media.processor';
import { PDF_BYTES } from './support/factories';
import { freePort } from './support/private-services';
import { eventually, login, MONITORING, TestEnv } from './support/test-env';

const APP_SECRET = 'meta-app-secret-for-the-e2e-test';
const VERIFY_TOKEN = 'verify-token-e2e';
const TELEGRAM_SECRET = 'telegram_secret-token-e2e';
const BOT_TOKEN = '123456:TEST-bot-token_e2e';
const ACCESS_TOKEN = 'EAAG-test-access-token';
/** Small enough that a test file can exceed it cheaply. */
const MAX_MEDIA_BYTES = 100_000;
const JPEG_BYTES = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0', 'latin1'), randomBytes(4000)]);
const TELEGRAM_PHOTO = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1]), randomBytes(3000)]);

const metaSignature = (raw: string, secret = APP_SECRET) => signMeta(secret, raw);

const messengerEvent = (sender: string, mid: string, text: string, at = Date.now()) => ({
  sender: { id: sender },
  recipient: { id: 'PAGE1' },
  timestamp: at,
  message: { mid, text },
});

/** A multipart body as fields: strings as they are, files as { filename, type, bytes }. */
async function formFields(raw: Buffer, contentType: string): Promise<Record<string, any>> {
  const form = await new Request('http://platform.invalid/', {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: raw,
  }).formData();
  const fields: Record<string, any> = {};
  for (const [key, value] of form.entries()) {
    fields[key] =
      typeof value === 'string' ? value : { filename: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) };
  }
  return fields;
}

interface Received {
  method?: string;
  path: string;
  authorization?: string;
  body: any;
}

describe('social channels: Meta and Telegram webhooks in, Graph API and Bot API replies out', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let platform: Server;
  let base: string;
  const received: Received[] = [];
  /** Level 0's notice of the reference (once per ticket), told apart from operators' replies. */
  const isNotice = (r: Received) => /reģistrēta ar numuru|зарегистрировано под номером|registered as/.test(JSON.stringify(r.body ?? null));
  let token: string;
  const http = () => request(app.getHttpServer());

  const postMeta = (payload: unknown, signature?: string) => {
    const raw = metaBody(payload);
    return http()
      .post('/v1/channels/social/meta/webhook')
      .set('Content-Type', 'application/json')
      .set('X-Hub-Signature-256', signature ?? metaSignature(raw))
      .send(raw);
  };
  const postTelegram = (update: unknown, secret = TELEGRAM_SECRET) =>
    http().post('/v1/channels/social/telegram/webhook').set(telegramHeaders(secret)).send(JSON.stringify(update));
  const ticketOf = async (externalId: string) =>
    eventually(
      async () =>
        (
          await env.sql(
            `SELECT t.reference, t.id, t.channel, t.customer_id FROM messages ms JOIN tickets t ON t.id = ms.ticket_id WHERE ms.channel = 'social' AND ms.external_id = $1`,
            [externalId],
          )
        )[0],
    );
  /** Waits until the worker has decided about every file of the message; resolves to the message's entries. */
  const storedFiles = (externalId: string) =>
    eventually(async () => {
      const [row] = await env.sql(`SELECT meta FROM messages WHERE channel = 'social' AND external_id = $1`, [externalId]);
      const entries: any[] = row?.meta?.attachments ?? [];
      return entries.length > 0 && entries.every((a) => typeof a.stored === 'boolean') ? entries : null;
    });
  const reply = (reference: string, text: string) =>
    http().post(`/v1/tickets/${reference}/replies`).set('Authorization', `Bearer ${token}`).send({ text });

  beforeAll(async () => {
    const port = await freePort();
    // Stands in for graph.facebook.com and api.telegram.org: records what it got and answers as they document.
    platform = createServer((req: IncomingMessage, res) => {
      if (req.method === 'GET') {
        // Media as the platforms serve it: Graph media metadata, Meta's CDN and Telegram's getFile / file download.
        received.push({ method: 'GET', path: req.url ?? '', authorization: req.headers.authorization, body: null });
        const json = (status: number, body: unknown) =>
          res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
        const file = (bytes: Buffer, type: string) =>
          res.writeHead(200, { 'Content-Type': type, 'Content-Length': String(bytes.length) }).end(bytes);
        const hits = received.filter((r) => r.path === req.url).length;
        switch (req.url) {
          case '/v21.0/MEDIA_DOC':
            return json(200, {
              messaging_product: 'whatsapp',
              url: `${base}/wa-media/doc?mid=1`,
              mime_type: 'application/pdf',
              file_size: PDF_BYTES.length,
              id: 'MEDIA_DOC',
            });
          case '/wa-media/doc?mid=1':
            // Like Meta: the media URL needs the token as well.
            return req.headers.authorization === `Bearer ${ACCESS_TOKEN}`
              ? file(PDF_BYTES, 'application/pdf')
              : json(401, { error: { message: 'no token' } });
          case '/v21.0/MEDIA_GONE':
            return json(404, { error: { message: 'Unsupported get request.', type: 'GraphMethodException', code: 100 } });
          case '/cdn/izzina.jpg':
          case '/cdn/skats.jpg':
            return file(JPEG_BYTES, 'image/jpeg');
          case '/cdn/gone.jpg':
            return json(404, { error: 'URL signature expired' });
          case '/cdn/page.jpg':
            return file(Buffer.from('<!DOCTYPE html><html><body>Sign in</body></html>'), 'image/jpeg');
          case '/cdn/flaky.jpg':
            return hits === 1 ? json(503, { error: 'try later' }) : file(JPEG_BYTES, 'image/jpeg');
          case '/cdn/huge.jpg': {
            // No Content-Length: only counting while reading finds it too large.
            res.writeHead(200, { 'Content-Type': 'image/jpeg' });
            res.write(Buffer.from([0xff, 0xd8, 0xff, 0xe0]));
            for (let i = 0; i < 30; i++) res.write(randomBytes(8192));
            return res.end();
          }
          case `/bot${BOT_TOKEN}/getFile?file_id=PHOTO_L`:
            return json(200, {
              ok: true,
              result: { file_id: 'PHOTO_L', file_unique_id: 'u1', file_size: TELEGRAM_PHOTO.length, file_path: 'photos/file_7.jpg' },
            });
          case `/file/bot${BOT_TOKEN}/photos/file_7.jpg`:
            return file(TELEGRAM_PHOTO, 'image/jpeg');
          default:
            return json(404, { ok: false, error_code: 404, description: 'Not Found' });
        }
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      const answer = async () => {
        const raw = Buffer.concat(chunks);
        const contentType = req.headers['content-type'] ?? '';
        // Uploads arrive as multipart forms, read here with the platform's own Fetch API parser.
        const body = contentType.startsWith('multipart/form-data')
          ? await formFields(raw, contentType)
          : raw.length
            ? JSON.parse(raw.toString('utf8'))
            : null;
        received.push({ path: req.url ?? '', authorization: req.headers.authorization, body });
        res.setHeader('Content-Type', 'application/json');
        if (req.url?.endsWith('/media')) {
          res.writeHead(200).end(JSON.stringify({ id: 'MEDIA_UP_1' }));
          return;
        }
        if (req.url?.includes('/sendDocument')) {
          res.writeHead(200).end(
            JSON.stringify({
              ok: true,
              result: { message_id: 4343, chat: { id: Number(body.chat_id) }, document: { file_name: body.document.filename } },
            }),
          );
          return;
        }
        if (body?.recipient?.id === 'BLOCKED') {
          res.writeHead(400).end(
            JSON.stringify({
              error: { message: "(#551) This person isn't available right now.", type: 'OAuthException', code: 551, fbtrace_id: 'x' },
            }),
          );
        } else if (req.url?.endsWith('/me/messages')) {
          res.writeHead(200).end(JSON.stringify({ recipient_id: body.recipient.id, message_id: `m_out_${received.length}` }));
        } else if (req.url?.includes('/sendMessage')) {
          res
            .writeHead(200)
            .end(JSON.stringify({ ok: true, result: { message_id: 4242, chat: { id: Number(body.chat_id) }, text: body.text } }));
        } else {
          res.writeHead(200).end(
            JSON.stringify({
              messaging_product: 'whatsapp',
              contacts: [{ input: body.to, wa_id: body.to }],
              messages: [{ id: 'wamid.OUT1' }],
            }),
          );
        }
      };
      // A body this stand-in cannot read fails the request the service made, rather than leaving it hanging.
      req.on('end', () => void answer().catch((e: unknown) => res.writeHead(500).end(String(e))));
    });
    await new Promise<void>((r) => platform.listen(port, '127.0.0.1', r));
    base = `http://127.0.0.1:${port}`;
    app = await env.startApi({
      APP_ROLE: 'all',
      META_APP_SECRET: APP_SECRET,
      META_VERIFY_TOKEN: VERIFY_TOKEN,
      META_ACCESS_TOKEN: ACCESS_TOKEN,
      META_GRAPH_BASE_URL: base,
      META_GRAPH_API_VERSION: 'v21.0',
      TELEGRAM_SECRET_TOKEN: TELEGRAM_SECRET,
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_API_BASE_URL: base,
      SOCIAL_MAX_MEDIA_BYTES: String(MAX_MEDIA_BYTES),
    });
    await app
      .get(AgentsService)
      .upsert({ email: 'op@social.test', displayName: 'Op', password: 'a long enough passphrase', roles: ['operator'] });
    token = await login(app, 'op@social.test', 'a long enough passphrase');
  });
  afterAll(async () => {
    await env.teardown();
    await new Promise((r) => platform.close(r));
  });

  it("answers Meta's verification handshake only with our verify token", async () => {
    const ok = await http()
      .get('/v1/channels/social/meta/webhook')
      .query({ 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1158201444' })
      .expect(200);
    expect(ok.text).toBe('1158201444');
    expect(ok.headers['content-type']).toMatch(/^text\/plain/);
    await http()
      .get('/v1/channels/social/meta/webhook')
      .query({ 'hub.mode': 'subscribe', 'hub.verify_token': 'wrong', 'hub.challenge': '1' })
      .expect(403);
    await http()
      .get('/v1/channels/social/meta/webhook')
      .query({ 'hub.mode': 'unsubscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1' })
      .expect(403);
    await http().get('/v1/channels/social/meta/webhook').expect(403);
  });

  it('accepts a batched Messenger delivery once: one ticket per sender, echoes and statuses skipped, files fetched later', async () => {
    const at = Date.now();
    const payload = {
      object: 'page',
      entry: [
        {
          id: 'PAGE1',
          time: at,
          messaging: [
            messengerEvent('PSID111', 'm_batch_1', 'Labdien! Kā saņemt bezdarbnieka pabalstu?', at),
            {
              ...messengerEvent('PSID111', 'm_batch_2', '', at + 1),
              message: { mid: 'm_batch_2', attachments: [{ type: 'image', payload: { url: `${base}/cdn/izzina.jpg` } }] },
            },
            {
              sender: { id: 'PAGE1' },
              recipient: { id: 'PSID111' },
              timestamp: at + 2,
              message: { mid: 'm_echo', text: 'mūsu atbilde', is_echo: true },
            },
            { sender: { id: 'PSID111' }, recipient: { id: 'PAGE1' }, timestamp: at + 3, read: { watermark: at } },
          ],
        },
        { id: 'PAGE1', time: at, messaging: [messengerEvent('PSID222', 'm_batch_3', 'Kur deklarēt dzīvesvietu?', at)] },
      ],
    };
    const first = await postMeta(payload).expect(200);
    expect(first.body).toEqual({ accepted: 3, failures: 0, duplicates: 0, ignored: 2, unrecognised: 0 });

    const a = await ticketOf('messenger:m_batch_1');
    const b = await ticketOf('messenger:m_batch_2');
    const c = await ticketOf('messenger:m_batch_3');
    expect(a.reference).toBe(b.reference);
    expect(c.reference).not.toBe(a.reference);
    expect(a.channel).toBe('social');
    const [photo] = await env.sql(`SELECT address, text, meta FROM messages WHERE external_id = 'messenger:m_batch_2'`);
    expect(photo.address).toBe('messenger:PSID111');
    expect(photo.meta).toMatchObject({ platform: 'messenger', attachments: [{ type: 'image', url: `${base}/cdn/izzina.jpg` }] });
    await storedFiles('messenger:m_batch_2');
    const detail = await http().get(`/v1/tickets/${a.reference}`).set('Authorization', `Bearer ${token}`).expect(200);
    expect(
      detail.body.messages
        .filter((m: any) => m.direction === 'inbound')
        .map((m: any) => [m.externalId, m.address, m.text, m.remoteAttachments]),
    ).toEqual([
      ['messenger:m_batch_1', 'messenger:PSID111', 'Labdien! Kā saņemt bezdarbnieka pabalstu?', []],
      [
        'messenger:m_batch_2',
        'messenger:PSID111',
        '',
        [
          {
            type: 'image',
            url: `${base}/cdn/izzina.jpg`,
            stored: true,
            attachmentId: expect.any(String),
            filename: 'messenger-image-1.jpg',
            contentType: 'image/jpeg',
            size: JPEG_BYTES.length,
          },
        ],
      ],
    ]);
    const ids = await env.sql(`SELECT kind, value FROM customer_identifiers WHERE customer_id = $1`, [a.customer_id]);
    expect(ids).toEqual([{ kind: 'messenger_psid', value: 'PSID111' }]);
    expect(await env.sql(`SELECT 1 FROM messages WHERE external_id = 'messenger:m_echo'`)).toHaveLength(0);

    // Meta retries a delivery it thinks failed: the same body again creates nothing.
    const replay = await postMeta(payload).expect(200);
    expect(replay.body).toMatchObject({ accepted: 0, duplicates: 3 });
    await new Promise((r) => setTimeout(r, 300));
    const [count] = await env.sql(
      `SELECT count(*)::int AS n FROM messages WHERE channel = 'social' AND external_id LIKE 'messenger:m_batch_%'`,
    );
    expect(count.n).toBe(3);

    // A later message of the same person continues their ticket.
    await postMeta({
      object: 'page',
      entry: [{ id: 'PAGE1', time: Date.now(), messaging: [messengerEvent('PSID111', 'm_later', 'Paldies, un vēl viens jautājums')] }],
    }).expect(200);
    expect((await ticketOf('messenger:m_later')).reference).toBe(a.reference);

    // Each sender is told their reference in the conversation, once per ticket: not again for the second message,
    // the replayed delivery or the later message.
    await new Promise((r) => setTimeout(r, 300));
    const notices = received.filter((r) => r.path === '/v21.0/me/messages' && isNotice(r));
    expect(notices.map((r) => [r.body.recipient.id, r.body.message.text]).sort()).toEqual([
      [
        'PSID111',
        `Paldies! Jūsu ziņa ir reģistrēta ar numuru ${a.reference}. Atbildēsim šeit. Pieteikuma statuss: http://localhost:3000/case`,
      ],
      [
        'PSID222',
        `Paldies! Jūsu ziņa ir reģistrēta ar numuru ${c.reference}. Atbildēsim šeit. Pieteikuma statuss: http://localhost:3000/case`,
      ],
    ]);
    expect(
      await env.sql(`SELECT delivery_status FROM messages WHERE ticket_id = $1 AND meta->>'kind' = 'reference-notice'`, [a.id]),
    ).toEqual([{ delivery_status: 'sent' }]);
  });

  it('refuses forged, missing and foreign-secret signatures with 403, and counts them', async () => {
    const payload = {
      object: 'page',
      entry: [{ id: 'PAGE1', time: Date.now(), messaging: [messengerEvent('PSID666', 'm_forged', 'iedomāts')] }],
    };
    await postMeta(payload, metaSignature(metaBody(payload), 'not-the-app-secret')).expect(403);
    await postMeta(payload, 'sha256=' + '0'.repeat(64)).expect(403);
    await http().post('/v1/channels/social/meta/webhook').set('Content-Type', 'application/json').send(metaBody(payload)).expect(403);
    // Signed over other bytes than were sent (re-serialised without Meta's escaping): refused too.
    const unicode = { object: 'page', entry: [{ id: 'PAGE1', time: 1, messaging: [messengerEvent('PSID666', 'm_forged2', 'Rīga')] }] };
    await http()
      .post('/v1/channels/social/meta/webhook')
      .set('Content-Type', 'application/json')
      .set('X-Hub-Signature-256', metaSignature(JSON.stringify(unicode)))
      .send(metaBody(unicode))
      .expect(403);
    expect(await env.sql(`SELECT 1 FROM inbound_events WHERE external_id LIKE 'messenger:m_forged%'`)).toHaveLength(0);
    const metrics = (await http().get('/metrics').set(MONITORING).expect(200)).text;
    expect(metrics).toMatch(/vp_inbound_events_total\{channel="social",outcome="rejected",reason="meta_signature_mismatch"\} 3/);
    expect(metrics).toMatch(/vp_inbound_events_total\{channel="social",outcome="rejected",reason="meta_signature_missing"\} 1/);
  });

  it('answers 200 to signed payloads of unknown shape, and counts them', async () => {
    const weird = await postMeta({ object: 'permissions', entry: [{ id: '1', changes: [{ field: 'ads', value: {} }] }] }).expect(200);
    expect(weird.body).toEqual({ accepted: 0, failures: 0, duplicates: 0, ignored: 0, unrecognised: 1 });
    const partly = await postMeta({
      object: 'page',
      entry: [{ id: 'PAGE1', messaging: [{ hello: 'world' }, messengerEvent('PSID333', 'm_ok', 'Sveiki')] }],
    }).expect(200);
    expect(partly.body).toMatchObject({ accepted: 1, unrecognised: 1 });
    await postMeta([1, 2, 3]).expect(200);
    await postTelegram({ update_id: 5000, something_telegram_added_later: { x: 1 } }).expect(200);
    const metrics = (await http().get('/metrics').set(MONITORING).expect(200)).text;
    expect(metrics).toMatch(/outcome="unrecognised",reason="meta_object_permissions"\} 1/);
    expect(metrics).toMatch(/outcome="unrecognised",reason="telegram_update_kind"\} 1/);
  });

  it('takes WhatsApp messages from a phone number, and replies through the Cloud API from the number they wrote to', async () => {
    const payload = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'WABA1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '37167000000', phone_number_id: 'PNID77' },
                contacts: [{ profile: { name: 'Anna Bērziņa' }, wa_id: '37120000001' }],
                messages: [
                  {
                    from: '37120000001',
                    id: 'wamid.HBgLMzcxMjAwMDAwMDEVAgASGBQ',
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    type: 'text',
                    text: { body: 'Kā saņemt izziņu par iemaksām?' },
                  },
                ],
                statuses: [{ id: 'wamid.OLD', status: 'delivered', timestamp: '1764000000', recipient_id: '37120000001' }],
              },
            },
          ],
        },
      ],
    };
    expect((await postMeta(payload).expect(200)).body).toMatchObject({ accepted: 1, ignored: 1 });
    const ticket = await ticketOf('whatsapp:wamid.HBgLMzcxMjAwMDAwMDEVAgASGBQ');
    expect(await env.sql(`SELECT kind, value FROM customer_identifiers WHERE customer_id = $1`, [ticket.customer_id])).toEqual([
      { kind: 'phone', value: '+37120000001' },
    ]);
    const [customer] = await env.sql(`SELECT first_name, last_name FROM customers WHERE id = $1`, [ticket.customer_id]);
    expect(customer).toEqual({ first_name: 'Anna', last_name: 'Bērziņa' });

    const sent = await reply(ticket.reference, 'Izziņu var saņemt Latvija.lv e-pakalpojumā "Mani dati VSAA".').expect(202);
    expect(sent.body).toMatchObject({ channel: 'social', address: 'whatsapp:+37120000001', deliveryStatus: 'queued' });
    const call = await eventually(async () => received.find((r) => r.path === '/v21.0/PNID77/messages' && !isNotice(r)));
    expect(call.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(call.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '37120000001',
      type: 'text',
      text: { preview_url: false, body: 'Izziņu var saņemt Latvija.lv e-pakalpojumā "Mani dati VSAA".' },
      biz_opaque_callback_data: expect.any(String),
    });
    const row = await eventually(
      async () =>
        (
          await env.sql(`SELECT delivery_status, meta, external_id FROM messages WHERE id = $1 AND delivery_status = 'sent'`, [
            sent.body.id,
          ])
        )[0],
    );
    expect(row.meta.deliveryResponse).toBe('whatsapp wamid.OUT1');
    expect(call.body.biz_opaque_callback_data).toBe(row.external_id);

    // Later WhatsApp reports the reply failed (as it does when it cannot deliver): the operator sees it on the reply.
    const failedStatus = (status: string) => ({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'WABA1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '37167000000', phone_number_id: 'PNID77' },
                statuses: [
                  {
                    id: 'wamid.OUT1',
                    status,
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    recipient_id: '37120000001',
                    biz_opaque_callback_data: row.external_id,
                    ...(status === 'failed'
                      ? {
                          errors: [
                            {
                              code: 131026,
                              title: 'Message undeliverable',
                              message: 'Message undeliverable',
                              error_data: { details: 'Message could not be delivered' },
                            },
                          ],
                        }
                      : {}),
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    expect((await postMeta(failedStatus('delivered')).expect(200)).body).toMatchObject({ failures: 0, ignored: 1 });
    expect((await postMeta(failedStatus('failed')).expect(200)).body).toMatchObject({ failures: 1, accepted: 0 });
    const failed = await eventually(
      async () =>
        (
          await env.sql(`SELECT delivery_status, delivery_error FROM messages WHERE id = $1 AND delivery_status = 'failed'`, [sent.body.id])
        )[0],
    );
    expect(failed.delivery_error).toBe('131026 Message undeliverable: Message could not be delivered');
    expect((await postMeta(failedStatus('failed')).expect(200)).body).toMatchObject({ duplicates: 1 });
  });

  it('replies on Messenger through the Send API, and shows a refusal by the platform on the message', async () => {
    const ticket = await ticketOf('messenger:m_batch_3');
    await reply(ticket.reference, 'Dzīvesvietu var deklarēt Latvija.lv.').expect(202);
    const call = await eventually(async () =>
      received.find((r) => r.path === '/v21.0/me/messages' && r.body.recipient.id === 'PSID222' && !isNotice(r)),
    );
    expect(call.body).toEqual({
      recipient: { id: 'PSID222' },
      messaging_type: 'RESPONSE',
      message: { text: 'Dzīvesvietu var deklarēt Latvija.lv.' },
    });
    expect(call.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);

    await postMeta({
      object: 'page',
      entry: [{ id: 'PAGE1', time: Date.now(), messaging: [messengerEvent('BLOCKED', 'm_blocked', 'Sveiki')] }],
    }).expect(200);
    const blocked = await ticketOf('messenger:m_blocked');
    const res = await reply(blocked.reference, 'Labdien!').expect(202);
    const failed = await eventually(
      async () =>
        (
          await env.sql(`SELECT delivery_status, delivery_error FROM messages WHERE id = $1 AND delivery_status = 'failed'`, [res.body.id])
        )[0],
    );
    expect(failed.delivery_error).toMatch(/Graph API 400 \(code 551\): \(#551\) This person isn't available/);
  });

  it('refuses a Messenger or WhatsApp reply after the 24-hour window with a clear 422, and stores nothing', async () => {
    const ticket = await ticketOf('messenger:m_batch_3');
    // A reply stored inside the window and retried (same Idempotency-Key) after it closed is the same reply, not a 422.
    const kept = await http()
      .post(`/v1/tickets/${ticket.reference}/replies`)
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', 'late-retry-1')
      .send({ text: 'Vēl kas?', force: true })
      .expect(202);
    await env.sql(
      `UPDATE messages SET created_at = created_at - interval '25 hours', sent_at = sent_at - interval '25 hours' WHERE ticket_id = $1 AND direction = 'inbound'`,
      [ticket.id],
    );
    const before = await env.sql(`SELECT count(*)::int AS n FROM messages WHERE ticket_id = $1`, [ticket.id]);
    const res = await reply(ticket.reference, 'Vai vēl ir jautājumi?').expect(422);
    expect(res.body).toMatchObject({ type: 'urn:vpppd:problem:messaging-window-closed', status: 422 });
    expect(res.body.detail).toMatch(/Messenger lets us answer only within 24 hours/);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'ticket', code: 'messagingWindowClosed' })]);
    expect(await env.sql(`SELECT count(*)::int AS n FROM messages WHERE ticket_id = $1`, [ticket.id])).toEqual(before);
    const retried = await http()
      .post(`/v1/tickets/${ticket.reference}/replies`)
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', 'late-retry-1')
      .send({ text: 'Vēl kas?', force: true })
      .expect(202);
    expect(retried.body.id).toBe(kept.body.id);

    // The customer writes again: the window opens again.
    await postMeta({
      object: 'page',
      entry: [{ id: 'PAGE1', time: Date.now(), messaging: [messengerEvent('PSID222', 'm_again', 'Jā, vēl viens')] }],
    }).expect(200);
    expect((await ticketOf('messenger:m_again')).reference).toBe(ticket.reference);
    await http()
      .post(`/v1/tickets/${ticket.reference}/replies`)
      .set('Authorization', `Bearer ${token}`)
      .send({ text: 'Lūdzu!', force: true })
      .expect(202);
  });

  it('takes Telegram updates with the secret token only, once per update_id, and replies with sendMessage', async () => {
    const update = {
      update_id: 730001,
      message: {
        message_id: 17,
        from: { id: 5550001, is_bot: false, first_name: 'Jānis', last_name: 'Ozols', language_code: 'lv' },
        chat: { id: 5550001, first_name: 'Jānis', type: 'private' },
        date: Math.floor(Date.now() / 1000),
        text: 'Kā pieteikties jaunai pasei?',
      },
    };
    await postTelegram(update, 'wrong_secret_token_value').expect(403);
    await http().post('/v1/channels/social/telegram/webhook').send(update).expect(403);
    expect((await postTelegram(update).expect(200)).body).toMatchObject({ accepted: 1 });
    expect((await postTelegram(update).expect(200)).body).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(
      (await postTelegram({ update_id: 730002, edited_message: { ...update.message, text: 'labots' } }).expect(200)).body,
    ).toMatchObject({ ignored: 1 });

    const ticket = await ticketOf('telegram:730001');
    const [t] = await env.sql(`SELECT language FROM tickets WHERE id = $1`, [ticket.id]);
    expect(t.language).toBe('lv');
    // Telegram has no 24-hour window: an old conversation can still be answered.
    await env.sql(
      `UPDATE messages SET created_at = created_at - interval '3 days', sent_at = sent_at - interval '3 days' WHERE ticket_id = $1`,
      [ticket.id],
    );
    await reply(ticket.reference, 'Pasi var pieprasīt jebkurā PMLP nodaļā.').expect(202);
    const call = await eventually(async () => received.find((r) => r.path === `/bot${BOT_TOKEN}/sendMessage` && !isNotice(r)));
    expect(call.body).toEqual({ chat_id: '5550001', text: 'Pasi var pieprasīt jebkurā PMLP nodaļā.' });
    // The reference was told in the chat once, though Telegram delivered the update twice.
    const told = received.filter((r) => r.path === `/bot${BOT_TOKEN}/sendMessage` && isNotice(r) && r.body.chat_id === '5550001');
    expect(told.map((r) => r.body.text)).toEqual([
      `Paldies! Jūsu ziņa ir reģistrēta ar numuru ${ticket.reference}. Atbildēsim šeit. Pieteikuma statuss: http://localhost:3000/case`,
    ]);
    expect(call.authorization).toBeUndefined();
  });
  it('asks for a score with buttons when a social ticket is resolved, and stores the press: Telegram, Messenger, WhatsApp', async () => {
    const resolve = (reference: string) =>
      http().patch(`/v1/tickets/${reference}`).set('Authorization', `Bearer ${token}`).send({ status: 'resolved' }).expect(200);
    const after = received.length;

    // Telegram: an inline keyboard; the press comes back as a callback_query.
    await postTelegram({
      update_id: 735001,
      message: {
        message_id: 5,
        from: { id: 5550077, is_bot: false, first_name: 'Rūta' },
        chat: { id: 5550077, type: 'private' },
        date: Math.floor(Date.now() / 1000),
        text: 'Kā atjaunot autovadītāja apliecību?',
      },
    }).expect(200);
    const tg = await ticketOf('telegram:735001');
    await resolve(tg.reference);
    const keyboard = await eventually(async () =>
      received.slice(after).find((r) => r.path === `/bot${BOT_TOKEN}/sendMessage` && r.body.reply_markup),
    );
    expect(keyboard.body.chat_id).toBe('5550077');
    expect(keyboard.body.text).toContain(tg.reference);
    expect(keyboard.body.reply_markup.inline_keyboard[0].map((b: any) => [b.text, b.callback_data])).toEqual(
      [1, 2, 3, 4, 5].map((n) => [String(n), `csat:${tg.reference}:${n}`]),
    );
    const press = {
      update_id: 735002,
      callback_query: {
        id: 'cbq1',
        from: { id: 5550077, is_bot: false, first_name: 'Rūta' },
        message: { message_id: 9, chat: { id: 5550077, type: 'private' } },
        data: `csat:${tg.reference}:4`,
      },
    };
    expect((await postTelegram(press).expect(200)).body).toMatchObject({ accepted: 0, surveyAnswers: 1 });
    expect((await env.sql('SELECT csat_score, csat_channel, status FROM tickets WHERE id = $1', [tg.id]))[0]).toEqual({
      csat_score: 4,
      csat_channel: 'social',
      status: 'resolved',
    });
    // The press is no message of the conversation and reopens nothing; Telegram repeating it changes nothing.
    await postTelegram(press).expect(200);
    expect(await env.sql(`SELECT 1 FROM messages WHERE ticket_id = $1 AND direction = 'inbound'`, [tg.id])).toHaveLength(1);
    expect(await env.sql(`SELECT 1 FROM audit_events WHERE action = 'csat.recorded' AND subject_id = $1`, [tg.id])).toHaveLength(1);
    // Someone else's chat cannot score this case, nor a made-up reference.
    await postTelegram({
      ...press,
      update_id: 735003,
      callback_query: {
        ...press.callback_query,
        from: { id: 5550078, is_bot: false },
        message: { message_id: 9, chat: { id: 5550078, type: 'private' } },
        data: `csat:${tg.reference}:1`,
      },
    }).expect(200);
    expect((await env.sql('SELECT csat_score FROM tickets WHERE id = $1', [tg.id]))[0].csat_score).toBe(4);

    // Messenger: quick replies, answered by a message carrying quick_reply.payload.
    await postMeta({
      object: 'page',
      entry: [{ id: 'PAGE1', time: Date.now(), messaging: [messengerEvent('PSID700', 'm_csat_q', 'Kā pieteikt bērna piedzimšanu?')] }],
    }).expect(200);
    const ms = await ticketOf('messenger:m_csat_q');
    await resolve(ms.reference);
    const quick = await eventually(async () =>
      received
        .slice(after)
        .find((r) => r.path === '/v21.0/me/messages' && r.body.recipient?.id === 'PSID700' && r.body.message?.quick_replies),
    );
    expect(quick.body.message.quick_replies.map((q: any) => q.payload)).toEqual([1, 2, 3, 4, 5].map((n) => `csat:${ms.reference}:${n}`));
    const answer = {
      ...messengerEvent('PSID700', 'm_csat_a', '5'),
      message: { mid: 'm_csat_a', text: '5', quick_reply: { payload: `csat:${ms.reference}:5` } },
    };
    await postMeta({ object: 'page', entry: [{ id: 'PAGE1', time: Date.now(), messaging: [answer] }] }).expect(200);
    expect((await env.sql('SELECT csat_score, status FROM tickets WHERE id = $1', [ms.id]))[0]).toEqual({
      csat_score: 5,
      status: 'resolved',
    });

    // WhatsApp: a list message (reply buttons take only three), answered by an interactive list_reply.
    const wa = (id: string, message: Record<string, unknown>) => ({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'WABA1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '37167000000', phone_number_id: 'PNID77' },
                contacts: [{ profile: { name: 'Laura' }, wa_id: '37120000077' }],
                messages: [{ from: '37120000077', id, timestamp: String(Math.floor(Date.now() / 1000)), ...message }],
              },
            },
          ],
        },
      ],
    });
    await postMeta(wa('wamid.CSATQ', { type: 'text', text: { body: 'Kur pieteikt dzīvesvietu?' } })).expect(200);
    const w = await ticketOf('whatsapp:wamid.CSATQ');
    await resolve(w.reference);
    const list = await eventually(async () =>
      received.slice(after).find((r) => r.path === '/v21.0/PNID77/messages' && r.body.type === 'interactive'),
    );
    expect(list.body.to).toBe('37120000077');
    expect(list.body.interactive.action.sections[0].rows.map((r: any) => r.id)).toEqual(
      [1, 2, 3, 4, 5].map((n) => `csat:${w.reference}:${n}`),
    );
    await postMeta(
      wa('wamid.CSATA', {
        type: 'interactive',
        interactive: { type: 'list_reply', list_reply: { id: `csat:${w.reference}:2`, title: '2' } },
      }),
    ).expect(200);
    expect((await env.sql('SELECT csat_score FROM tickets WHERE id = $1', [w.id]))[0].csat_score).toBe(2);

    // The monthly CSAT report has the social channel's answers.
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Riga', year: 'numeric', month: '2-digit' }).format(new Date());
    const [admin] = [await login(app)];
    const report = await http().get(`/v1/reports/csat?from=${month}`).set('Authorization', `Bearer ${admin}`).expect(200);
    const social = report.body.items.filter((r: any) => r.channel === 'social');
    expect(social.reduce((n: number, r: any) => n + r.responses, 0)).toBe(3);
  });

  it("sends an operator's files after the text: Telegram as documents, WhatsApp uploaded then sent by id, Messenger with the message; not on Instagram", async () => {
    const pdf = { filename: 'veidlapa.pdf', contentBase64: PDF_BYTES.toString('base64') };
    const withFile = (reference: string, text: string) =>
      http()
        .post(`/v1/tickets/${reference}/replies`)
        .set('Authorization', `Bearer ${token}`)
        .send({ text, attachments: [pdf], force: true });
    const after = received.length;

    await postTelegram({
      update_id: 739001,
      message: {
        message_id: 1,
        from: { id: 5550009, is_bot: false, first_name: 'Ilze' },
        chat: { id: 5550009, type: 'private' },
        date: Math.floor(Date.now() / 1000),
        text: 'Lūdzu veidlapu',
      },
    }).expect(200);
    const telegram = await ticketOf('telegram:739001');
    await withFile(telegram.reference, 'Veidlapa pielikumā.').expect(202);
    const doc = await eventually(async () => received.slice(after).find((r) => r.path === `/bot${BOT_TOKEN}/sendDocument`));
    expect(doc.body).toEqual({ chat_id: '5550009', document: { filename: 'veidlapa.pdf', type: 'application/pdf', bytes: PDF_BYTES } });
    const order = received
      .slice(after)
      .filter((r) => r.path.startsWith(`/bot${BOT_TOKEN}/send`) && !isNotice(r))
      .map((r) => r.path.split('/').pop());
    expect(order).toEqual(['sendMessage', 'sendDocument']);

    await postMeta({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'WABA1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '37167000000', phone_number_id: 'PNID77' },
                contacts: [{ profile: { name: 'Ilze' }, wa_id: '37120000009' }],
                messages: [
                  {
                    from: '37120000009',
                    id: 'wamid.FILES1',
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    type: 'text',
                    text: { body: 'Lūdzu veidlapu' },
                  },
                ],
              },
            },
          ],
        },
      ],
    }).expect(200);
    const whatsapp = await ticketOf('whatsapp:wamid.FILES1');
    await withFile(whatsapp.reference, 'Veidlapa pielikumā.').expect(202);
    const upload = await eventually(async () => received.slice(after).find((r) => r.path === '/v21.0/PNID77/media'));
    expect(upload.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(upload.body).toEqual({
      messaging_product: 'whatsapp',
      type: 'application/pdf',
      file: { filename: 'veidlapa.pdf', type: 'application/pdf', bytes: PDF_BYTES },
    });
    const sent = await eventually(async () =>
      received.slice(after).find((r) => r.path === '/v21.0/PNID77/messages' && r.body?.type === 'document'),
    );
    expect(sent.body).toMatchObject({
      messaging_product: 'whatsapp',
      to: '37120000009',
      type: 'document',
      document: { id: 'MEDIA_UP_1', filename: 'veidlapa.pdf' },
    });

    await postMeta({
      object: 'page',
      entry: [{ id: 'PAGE1', time: Date.now(), messaging: [messengerEvent('PSID909', 'm_files1', 'Lūdzu veidlapu')] }],
    }).expect(200);
    const messenger = await ticketOf('messenger:m_files1');
    await withFile(messenger.reference, 'Veidlapa pielikumā.').expect(202);
    const attached = await eventually(async () => received.slice(after).find((r) => r.path === '/v21.0/me/messages' && r.body?.filedata));
    expect(JSON.parse(attached.body.recipient)).toEqual({ id: 'PSID909' });
    expect(JSON.parse(attached.body.message)).toEqual({ attachment: { type: 'file', payload: { is_reusable: false } } });
    expect(attached.body.filedata).toEqual({ filename: 'veidlapa.pdf', type: 'application/pdf', bytes: PDF_BYTES });

    await postMeta({
      object: 'instagram',
      entry: [
        {
          id: 'IG1',
          time: Date.now(),
          messaging: [
            {
              sender: { id: 'IGSID909' },
              recipient: { id: 'IG1' },
              timestamp: Date.now(),
              message: { mid: 'ig_files1', text: 'Lūdzu veidlapu' },
            },
          ],
        },
      ],
    }).expect(200);
    const instagram = await ticketOf('instagram:ig_files1');
    const refused = await withFile(instagram.reference, 'Veidlapa pielikumā.').expect(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'attachments', code: 'notOnInstagram' })]);
  });

  describe('files citizens send', () => {
    const whatsappDelivery = (id: string, mediaId: string, filename?: string) => ({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'WABA1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '37167000000', phone_number_id: 'PNID77' },
                contacts: [{ profile: { name: 'Pēteris Kalniņš' }, wa_id: '37120000009' }],
                messages: [
                  {
                    from: '37120000009',
                    id,
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    type: 'document',
                    document: { id: mediaId, mime_type: 'application/pdf', caption: 'pielikumā', ...(filename ? { filename } : {}) },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const telegramPhoto = {
      update_id: 731001,
      message: {
        message_id: 31,
        from: { id: 5550009, is_bot: false, first_name: 'Līga', language_code: 'lv' },
        chat: { id: 5550009, type: 'private' },
        date: Math.floor(Date.now() / 1000),
        caption: 'Pases kopija',
        photo: [
          { file_id: 'PHOTO_S', file_unique_id: 's', width: 90, height: 90 },
          { file_id: 'PHOTO_L', file_unique_id: 'l', width: 1280, height: 960 },
        ],
      },
    };
    const messengerFiles = (mid: string, ...paths: string[]) => ({
      object: 'page',
      entry: [
        {
          id: 'PAGE1',
          time: Date.now(),
          messaging: [
            {
              ...messengerEvent('PSID444', mid, ''),
              message: { mid, attachments: paths.map((p) => ({ type: 'image', payload: { url: `${base}${p}` } })) },
            },
          ],
        },
      ],
    });
    const download = (reference: string, id: string) =>
      http()
        .get(`/v1/tickets/${reference}/attachments/${id}`)
        .set('Authorization', `Bearer ${token}`)
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
    const gets = (path: string) => received.filter((r) => r.method === 'GET' && r.path === path);

    it('keeps a Telegram photo, a WhatsApp document and a Messenger image as attachments of their message, once', async () => {
      expect((await postTelegram(telegramPhoto).expect(200)).body).toMatchObject({ accepted: 1 });
      expect((await postMeta(whatsappDelivery('wamid.DOC1', 'MEDIA_DOC', 'izziņa.pdf')).expect(200)).body).toMatchObject({ accepted: 1 });
      expect((await postMeta(messengerFiles('m_img_1', '/cdn/skats.jpg')).expect(200)).body).toMatchObject({ accepted: 1 });

      const cases = [
        { externalId: 'telegram:731001', bytes: TELEGRAM_PHOTO, type: 'image/jpeg', filename: 'telegram-image-1.jpg' },
        { externalId: 'whatsapp:wamid.DOC1', bytes: PDF_BYTES, type: 'application/pdf', filename: 'izziņa.pdf' },
        { externalId: 'messenger:m_img_1', bytes: JPEG_BYTES, type: 'image/jpeg', filename: 'messenger-image-1.jpg' },
      ];
      for (const c of cases) {
        const [entry] = await storedFiles(c.externalId);
        expect([c.externalId, entry]).toEqual([
          c.externalId,
          expect.objectContaining({ stored: true, filename: c.filename, contentType: c.type, size: c.bytes.length }),
        ]);
        const ticket = await ticketOf(c.externalId);
        const [message] = await env.sql(`SELECT id FROM messages WHERE external_id = $1`, [c.externalId]);
        const detail = await http().get(`/v1/tickets/${ticket.reference}`).set('Authorization', `Bearer ${token}`).expect(200);
        const shown = detail.body.messages.find((m: any) => m.externalId === c.externalId);
        expect(shown.attachments).toEqual([
          {
            id: entry.attachmentId,
            filename: c.filename,
            contentType: c.type,
            size: c.bytes.length,
            sha256: expect.any(String),
            scan: 'not_scanned',
            threat: null,
          },
        ]);
        expect(shown.remoteAttachments).toEqual([expect.objectContaining({ stored: true, attachmentId: entry.attachmentId })]);
        const file = await download(ticket.reference, entry.attachmentId);
        expect(file.headers['content-type']).toMatch(new RegExp(`^${c.type}`));
        expect(Buffer.compare(file.body, c.bytes)).toBe(0);
        expect((await env.sql(`SELECT count(*)::int AS n FROM attachments WHERE message_id = $1`, [message.id]))[0].n).toBe(1);
      }
      // The token went to the Graph API and the media URL, and to nothing else; Telegram was asked for the large photo.
      expect(gets('/v21.0/MEDIA_DOC')[0].authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
      expect(gets('/wa-media/doc?mid=1')[0].authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
      expect(gets('/cdn/skats.jpg')[0].authorization).toBeUndefined();
      expect(gets(`/bot${BOT_TOKEN}/getFile?file_id=PHOTO_L`)).toHaveLength(1);
      expect(gets(`/bot${BOT_TOKEN}/getFile?file_id=PHOTO_S`)).toHaveLength(0);

      // Replayed deliveries fetch and store nothing again.
      const before = received.filter((r) => r.method === 'GET').length;
      expect((await postTelegram(telegramPhoto).expect(200)).body).toMatchObject({ duplicates: 1 });
      expect((await postMeta(whatsappDelivery('wamid.DOC1', 'MEDIA_DOC', 'izziņa.pdf')).expect(200)).body).toMatchObject({ duplicates: 1 });
      expect((await postMeta(messengerFiles('m_img_1', '/cdn/skats.jpg')).expect(200)).body).toMatchObject({ duplicates: 1 });
      await new Promise((r) => setTimeout(r, 1500));
      expect(received.filter((r) => r.method === 'GET').length).toBe(before);
      const [n] = await env.sql(
        `SELECT count(*)::int AS n FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.external_id = ANY($1::text[])`,
        [cases.map((c) => c.externalId)],
      );
      expect(n.n).toBe(3);
      const metrics = (await http().get('/metrics').set(MONITORING).expect(200)).text;
      expect(metrics).toMatch(/vp_social_media_total\{platform="telegram",outcome="stored",reason=""\} 1/);
      expect(metrics).toMatch(/vp_social_media_total\{platform="whatsapp",outcome="stored",reason=""\} 1/);
    });

    it('records a file that is gone, too large or of an unknown type as not stored, tries each once, and retries a 503', async () => {
      await postMeta(messengerFiles('m_bad_1', '/cdn/gone.jpg', '/cdn/huge.jpg', '/cdn/page.jpg', '/cdn/flaky.jpg')).expect(200);
      await postMeta(whatsappDelivery('wamid.GONE1', 'MEDIA_GONE')).expect(200);
      // A shared link is a web page, not the customer's file: it is not fetched.
      const link = {
        ...messengerEvent('PSID444', 'm_link_1', ''),
        message: {
          mid: 'm_link_1',
          text: 'skat.',
          attachments: [{ type: 'fallback', payload: { url: `${base}/cdn/izzina.jpg?shared=1` } }],
        },
      };
      await postMeta({ object: 'page', entry: [{ id: 'PAGE1', time: Date.now(), messaging: [link] }] }).expect(200);

      const entries = await eventually(async () => {
        const e = await storedFiles('messenger:m_bad_1');
        return e[3].stored === true ? e : null;
      });
      expect(entries.map((e: any) => [e.url.replace(base, ''), e.stored, e.reason])).toEqual([
        ['/cdn/gone.jpg', false, 'http_404'],
        ['/cdn/huge.jpg', false, 'too_large'],
        ['/cdn/page.jpg', false, 'type_refused'],
        ['/cdn/flaky.jpg', true, undefined],
      ]);
      const [wa] = await storedFiles('whatsapp:wamid.GONE1');
      expect(wa).toMatchObject({ mediaId: 'MEDIA_GONE', stored: false, reason: 'http_404' });
      expect(await storedFiles('messenger:m_link_1')).toEqual([
        { type: 'fallback', url: `${base}/cdn/izzina.jpg?shared=1`, stored: false, reason: 'not_a_file' },
      ]);
      expect(gets('/cdn/izzina.jpg?shared=1')).toHaveLength(0);

      const ticket = await ticketOf('messenger:m_bad_1');
      const detail = await http().get(`/v1/tickets/${ticket.reference}`).set('Authorization', `Bearer ${token}`).expect(200);
      const shown = detail.body.messages.find((m: any) => m.externalId === 'messenger:m_bad_1');
      expect(shown.attachments).toHaveLength(1);
      expect(shown.remoteAttachments.map((a: any) => a.reason ?? 'stored')).toEqual(['http_404', 'too_large', 'type_refused', 'stored']);

      // The 503 was tried again after backoff; what could never succeed was tried once, and is not tried again.
      expect(gets('/cdn/flaky.jpg')).toHaveLength(2);
      await new Promise((r) => setTimeout(r, 2500));
      expect([gets('/cdn/gone.jpg'), gets('/cdn/huge.jpg'), gets('/cdn/page.jpg'), gets('/v21.0/MEDIA_GONE')].map((g) => g.length)).toEqual(
        [1, 1, 1, 1],
      );
      expect(
        await env.sql(`SELECT 1 FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.external_id = 'whatsapp:wamid.GONE1'`),
      ).toHaveLength(0);
      // A job that runs out of attempts (the pipeline was down for the whole backoff) leaves no file undecided.
      await postMeta(messengerFiles('m_late_1', '/cdn/izzina.jpg')).expect(200);
      await storedFiles('messenger:m_late_1');
      const [late] = await env.sql(`SELECT id FROM inbound_events WHERE external_id = 'messenger:m_late_1'`);
      await env.sql(
        `UPDATE messages SET meta = jsonb_set(meta, '{attachments,0}', (meta->'attachments'->0) - 'stored') WHERE external_id = 'messenger:m_late_1'`,
      );
      await app
        .get(SocialMediaProcessor)
        .onFailed(
          { data: { eventId: late.id, platform: 'messenger', attachments: [] }, attemptsMade: 10, opts: { attempts: 10 } } as any,
          new Error('gave up'),
        );
      expect((await storedFiles('messenger:m_late_1'))[0]).toMatchObject({ stored: false, reason: 'gave_up' });

      const metrics = (await http().get('/metrics').set(MONITORING).expect(200)).text;
      expect(metrics).toMatch(/vp_social_media_total\{platform="messenger",outcome="not_stored",reason="gave_up"\} 1/);
      expect(metrics).toMatch(/vp_social_media_total\{platform="messenger",outcome="not_stored",reason="too_large"\} 1/);
      expect(metrics).toMatch(/vp_social_media_total\{platform="messenger",outcome="not_stored",reason="type_refused"\} 1/);
      expect(metrics).toMatch(/vp_social_media_total\{platform="messenger",outcome="retried",reason="http_503"\} 1/);
      expect(metrics).toMatch(/vp_social_media_total\{platform="whatsapp",outcome="not_stored",reason="http_404"\} 1/);
    });
  });
});
