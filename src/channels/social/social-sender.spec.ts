import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type { AppConfig } from '../../config/app-config';
import { PermanentDeliveryError, type OutboundEnvelope } from '../../outbound/channel-sender';
import { messagingWindow } from './messaging-window';
import { SocialSender } from './social-sender';

describe('messaging window', () => {
  it('is 24 hours on Meta platforms, 7 days on Messenger/Instagram with the Human Agent tag, none on Telegram', () => {
    expect(messagingWindow('messenger:1', { humanAgentTag: false })).toEqual({ platform: 'Messenger', hours: 24 });
    expect(messagingWindow('instagram:1', { humanAgentTag: true })).toEqual({ platform: 'Instagram', hours: 168 });
    expect(messagingWindow('whatsapp:+371', { humanAgentTag: true })).toEqual({ platform: 'WhatsApp', hours: 24 });
    expect(messagingWindow('telegram:5', { humanAgentTag: false })).toBeNull();
    expect(messagingWindow('someone@example.lv', { humanAgentTag: false })).toBeNull();
  });
});

describe('social sender against a local stand-in for the Graph API', () => {
  let server: Server;
  let base: string;
  const got: Array<{ url: string; body: any }> = [];
  let answer: { status: number; body: unknown } = { status: 200, body: { recipient_id: '1', message_id: 'm.1' } };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        got.push({ url: req.url ?? '', body: JSON.parse(raw) });
        res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const sender = (extra: Partial<AppConfig> = {}) =>
    new SocialSender({
      META_GRAPH_BASE_URL: base,
      META_GRAPH_API_VERSION: 'v21.0',
      META_ACCESS_TOKEN: 't',
      META_HUMAN_AGENT_TAG: false,
      ...extra,
    } as AppConfig);
  const envelope = (to: string, text: string): OutboundEnvelope => ({
    messageId: 'x',
    channel: 'social',
    externalId: 'e@x',
    ticketReference: 'VP-2026-000001',
    ticketSubject: null,
    to,
    originAddress: 'messenger:PAGE',
    subject: null,
    text,
    html: null,
    author: 'agent',
    thread: [],
    inReplyTo: null,
    attachments: [],
  });

  it('tags Messenger replies HUMAN_AGENT when the app may, and splits long text in order', async () => {
    got.length = 0;
    answer = { status: 200, body: { recipient_id: '1', message_id: 'm.1' } };
    await sender({ META_HUMAN_AGENT_TAG: true }).send(envelope('messenger:PSID', 'a'.repeat(1500) + ' ' + 'b'.repeat(1500)));
    expect(got.map((g) => [g.url, g.body.messaging_type, g.body.tag, g.body.message.text.length])).toEqual([
      ['/v21.0/me/messages', 'MESSAGE_TAG', 'HUMAN_AGENT', 1500],
      ['/v21.0/me/messages', 'MESSAGE_TAG', 'HUMAN_AGENT', 1500],
    ]);
  });

  it('treats a 4xx as final and a 5xx or 429 as worth retrying', async () => {
    answer = { status: 400, body: { error: { message: 'Invalid parameter', code: 100 } } };
    await expect(sender().send(envelope('messenger:PSID', 'x'))).rejects.toBeInstanceOf(PermanentDeliveryError);
    answer = { status: 503, body: { error: { message: 'Service unavailable', code: 2 } } };
    const error = await sender()
      .send(envelope('messenger:PSID', 'x'))
      .catch((e) => e);
    expect(error).not.toBeInstanceOf(PermanentDeliveryError);
    expect(error.message).toMatch(/Graph API 503 \(code 2\)/);
    answer = { status: 429, body: { error: { message: 'Too many calls', code: 4 } } };
    expect(
      await sender()
        .send(envelope('messenger:PSID', 'x'))
        .catch((e) => e),
    ).not.toBeInstanceOf(PermanentDeliveryError);
  });

  it('fails for good, without calling anyone, when the platform is not configured', async () => {
    got.length = 0;
    await expect(sender({ META_ACCESS_TOKEN: undefined }).send(envelope('whatsapp:+37120000001', 'x'))).rejects.toThrow(
      /META_ACCESS_TOKEN/,
    );
    await expect(sender().send(envelope('telegram:5', 'x'))).rejects.toThrow(/TELEGRAM_BOT_TOKEN/);
    expect(got).toEqual([]);
  });
});
