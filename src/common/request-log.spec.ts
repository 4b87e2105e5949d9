import { requestLogSerializers } from './request-log';

describe('requestLogSerializers', () => {
  it('logs what identifies a request and no header but the user agent', () => {
    const line = requestLogSerializers.req({
      id: 'r-1',
      method: 'POST',
      url: '/v1/channels/social/telegram/webhook',
      remoteAddress: '127.0.0.1',
      headers: {
        'user-agent': 'TelegramBot',
        authorization: 'Bearer secret-1',
        cookie: 'sid=secret-2',
        'x-telegram-bot-api-secret-token': 'secret-3',
        'x-twilio-signature': 'secret-4',
        'x-hub-signature-256': 'sha256=secret-5',
        'x-signature': 'secret-6',
      },
    });
    expect(line).toEqual({ id: 'r-1', method: 'POST', url: '/v1/channels/social/telegram/webhook', remoteAddress: '127.0.0.1', userAgent: 'TelegramBot' });
    expect(JSON.stringify(line)).not.toContain('secret');
    expect(requestLogSerializers.res({ statusCode: 204 })).toEqual({ statusCode: 204 });
  });

  it("logs the client's address as resolved behind trusted proxies (req.ip), not the proxy's", () => {
    const line = requestLogSerializers.req({ id: 'r-2', method: 'GET', url: '/health', remoteAddress: '10.0.0.2', raw: { ip: '203.0.113.9' }, headers: {} });
    expect(line.remoteAddress).toBe('203.0.113.9');
  });
});
