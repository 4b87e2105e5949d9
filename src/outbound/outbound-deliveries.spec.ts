import { UnrecoverableError } from 'bullmq';
import type { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { DeliveryRecord, MessageDeliveriesService } from '../tickets/message-deliveries.service';
import { ChannelSender, OutboundEnvelope, PermanentDeliveryError } from './channel-sender';
import { ChannelBusy, isRecordedFailure, OutboundDeliveries } from './outbound-deliveries';

function envelope(messageId: string, to: string, channel = 'email'): OutboundEnvelope {
  return {
    messageId,
    channel,
    externalId: `${messageId}@vpppd.test`,
    ticketReference: 'VP-2026-000001',
    ticketSubject: null,
    to,
    originAddress: null,
    subject: null,
    text: `text of ${messageId}`,
    html: null,
    author: 'bot',
    thread: [],
    inReplyTo: null,
    attachments: [],
  };
}

describe('OutboundDeliveries', () => {
  const stored = new Map<string, OutboundEnvelope>();
  const recorded: DeliveryRecord[][] = [];
  const loads: string[][] = [];
  const load = async (ids: readonly string[]) => {
    loads.push([...ids]);
    return new Map(ids.filter((id) => stored.has(id)).map((id) => [id, stored.get(id)!]));
  };
  const store = {
    loadEnvelopes: jest.fn(load),
    record: jest.fn(async (outcomes: readonly DeliveryRecord[]) => void recorded.push([...outcomes])),
  };
  const metrics = { outboundMessages: { inc: jest.fn() } };
  const sent: string[] = [];
  const email: ChannelSender = {
    channel: 'email',
    send: jest.fn(async (e: OutboundEnvelope) => {
      if (e.to === 'deferred@customer.test') throw Object.assign(new Error('421 4.3.2 try later'), { responseCode: 421 });
      if (e.to === 'unknown@customer.test') throw new PermanentDeliveryError('SMTP 550: no such user');
      // The first mail to an address takes longest: a second one to it must still leave after it.
      await new Promise((r) => setTimeout(r, e.messageId.endsWith('-first') ? 20 : 1));
      sent.push(e.messageId);
      return { response: `250 ok ${e.messageId}` };
    }),
  };
  /** A channel whose provider answers only when the test lets it (`release`). */
  const stalled: { release: () => void; sends: number } = { release: () => undefined, sends: 0 };
  const telegram: ChannelSender = {
    channel: 'telegram',
    send: jest.fn(async (e: OutboundEnvelope) => {
      sent.push(e.messageId);
      return { response: `ok ${e.messageId}` };
    }),
  };
  const slowEmail: ChannelSender = {
    channel: 'email',
    send: jest.fn(async (e: OutboundEnvelope) => {
      stalled.sends++;
      await new Promise<void>((resolve) => {
        const before = stalled.release;
        stalled.release = () => (before(), resolve());
      });
      sent.push(e.messageId);
      return { response: `250 ok ${e.messageId}` };
    }),
  };
  const deliveries = (senders: ChannelSender[] = [email], maxInFlight = 100) =>
    new OutboundDeliveries(
      senders,
      store as unknown as MessageDeliveriesService,
      metrics as unknown as MetricsService,
      {
        outboundChannelMaxInFlight: maxInFlight,
      } as AppConfig,
    );

  beforeEach(() => {
    stored.clear();
    recorded.length = 0;
    loads.length = 0;
    sent.length = 0;
    stalled.release = () => undefined;
    stalled.sends = 0;
    jest.clearAllMocks();
    store.loadEnvelopes.mockImplementation(load);
  });

  it('reads a batch once, sends every mail, and records them all in one call', async () => {
    for (const id of ['a', 'b', 'c']) stored.set(id, envelope(id, `${id}@customer.test`));
    const results = await deliveries().deliver(['a', 'b', 'c'].map((messageId) => ({ messageId, lastAttempt: false })));
    expect(results).toEqual(['a', 'b', 'c'].map((id) => ({ ok: true, value: `250 ok ${id}` })));
    expect(loads).toEqual([['a', 'b', 'c']]);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toEqual(
      expect.arrayContaining(['a', 'b', 'c'].map((messageId) => ({ messageId, sent: true, response: `250 ok ${messageId}` }))),
    );
    expect(metrics.outboundMessages.inc).toHaveBeenCalledTimes(3);
    expect(metrics.outboundMessages.inc).toHaveBeenCalledWith({ channel: 'email', outcome: 'sent' });
  });

  it('fails only the mail that failed, deferring a 421 and failing a 550 for good, and records both with the sent ones', async () => {
    stored.set('ok', envelope('ok', 'ok@customer.test'));
    stored.set('late', envelope('late', 'deferred@customer.test'));
    stored.set('bad', envelope('bad', 'unknown@customer.test'));
    const results = await deliveries().deliver(['ok', 'late', 'bad'].map((messageId) => ({ messageId, lastAttempt: false })));

    expect(results[0]).toEqual({ ok: true, value: '250 ok ok' });
    expect(results[1]).toMatchObject({ ok: false, error: { message: '421 4.3.2 try later' } });
    expect(results[1].ok || results[1].error instanceof UnrecoverableError).toBe(false);
    expect(results[2].ok || results[2].error instanceof UnrecoverableError).toBe(true);
    expect(results.map((r) => !r.ok && isRecordedFailure(r.error))).toEqual([false, true, true]);
    expect(sent).toEqual(['ok']);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toEqual(
      expect.arrayContaining([
        { messageId: 'ok', sent: true, response: '250 ok ok' },
        { messageId: 'late', sent: false, reason: '421 4.3.2 try later', final: false },
        { messageId: 'bad', sent: false, reason: 'SMTP 550: no such user', final: true },
      ]),
    );
  });

  it("marks a deferral final on the job's last attempt", async () => {
    stored.set('late', envelope('late', 'deferred@customer.test'));
    await deliveries().deliver([{ messageId: 'late', lastAttempt: true }]);
    expect(recorded).toEqual([[{ messageId: 'late', sent: false, reason: '421 4.3.2 try later', final: true }]]);
  });

  it('sends a message that is twice in a batch once, answers nothing-to-send for one no longer queued', async () => {
    stored.set('a', envelope('a', 'a@customer.test'));
    const results = await deliveries().deliver([
      { messageId: 'a', lastAttempt: false },
      { messageId: 'gone', lastAttempt: false },
      { messageId: 'a', lastAttempt: false },
    ]);
    expect(results).toEqual([
      { ok: true, value: '250 ok a' },
      { ok: true, value: 'nothing to send' },
      { ok: true, value: '250 ok a' },
    ]);
    expect(loads).toEqual([['a', 'gone']]);
    expect(sent).toEqual(['a']);
  });

  it('keeps the order of mails to one address while others go out meanwhile', async () => {
    stored.set('x-first', envelope('x-first', 'same@customer.test'));
    stored.set('x-second', envelope('x-second', 'same@customer.test'));
    stored.set('y', envelope('y', 'other@customer.test'));
    await deliveries().deliver(['x-first', 'x-second', 'y'].map((messageId) => ({ messageId, lastAttempt: false })));
    expect(sent).toEqual(['y', 'x-first', 'x-second']);
  });

  it('reads the messages one by one when the batch cannot be read, so one bad id fails alone', async () => {
    stored.set('a', envelope('a', 'a@customer.test'));
    store.loadEnvelopes.mockImplementation(async (ids: readonly string[]) => {
      if (ids.includes('not-a-uuid')) {
        loads.push([...ids]);
        throw new Error('invalid input syntax for type uuid');
      }
      return load(ids);
    });
    const results = await deliveries().deliver(['a', 'not-a-uuid'].map((messageId) => ({ messageId, lastAttempt: false })));
    expect(results[0]).toEqual({ ok: true, value: '250 ok a' });
    expect(results[1]).toMatchObject({ ok: false, error: { message: 'invalid input syntax for type uuid' } });
    expect(loads).toEqual([['a', 'not-a-uuid'], ['a'], ['not-a-uuid']]);
  });

  it('fails a message of a channel without a sender for good', async () => {
    stored.set('s', envelope('s', '+37120000000', 'sms'));
    const [result] = await deliveries().deliver([{ messageId: 's', lastAttempt: false }]);
    expect(result.ok || result.error instanceof UnrecoverableError).toBe(true);
    expect(recorded[0]).toEqual([{ messageId: 's', sent: false, reason: 'no sender is configured for the sms channel', final: true }]);
  });

  it("holds back a stalled channel's messages beyond its share, whole addresses at a time, and records another channel at once", async () => {
    const service = deliveries([slowEmail, telegram], 3);
    for (const id of ['m1', 'm2', 'm3']) stored.set(id, envelope(id, `${id}@customer.test`));
    const first = service.deliver(['m1', 'm2', 'm3'].map((messageId) => ({ messageId, lastAttempt: false })));
    await new Promise((r) => setTimeout(r, 5));
    expect(service.inHand('email')).toBe(3);

    // The channel is full: its next messages are held back (two to one address stay together), Telegram goes.
    stored.set('m4', envelope('m4', 'same@customer.test'));
    stored.set('m5', envelope('m5', 'same@customer.test'));
    stored.set('t1', envelope('t1', '5550001', 'telegram'));
    const second = await service.deliver(['m4', 'm5', 't1'].map((messageId) => ({ messageId, lastAttempt: false })));
    expect(second[2]).toEqual({ ok: true, value: 'ok t1' });
    const waits = second.slice(0, 2).map((held) => {
      expect(held.ok).toBe(false);
      const error = (held as { error: unknown }).error;
      expect(error).toBeInstanceOf(ChannelBusy);
      return (error as ChannelBusy).retryInMs;
    });
    // Nothing sent yet, so no rate: the shortest wait.
    expect(waits).toEqual([250, 250]);
    // Telegram's outcome is written though the e-mails of the first batch are still waiting; nothing for the held.
    expect(recorded).toEqual([[{ messageId: 't1', sent: true, response: 'ok t1' }]]);
    expect(stalled.sends).toBe(3);
    expect(metrics.outboundMessages.inc).toHaveBeenCalledWith({ channel: 'email', outcome: 'busy' });

    stalled.release();
    expect((await first).every((r) => r.ok)).toBe(true);
    expect(service.inHand('email')).toBe(0);
    expect(recorded[1].map((r) => r.messageId).sort()).toEqual(['m1', 'm2', 'm3']);
  });

  it("lets one address's messages through when nothing of the channel is in hand, however many they are", async () => {
    for (const id of ['a1', 'a2', 'a3']) stored.set(id, envelope(id, 'many@customer.test'));
    const results = await deliveries([email], 2).deliver(['a1', 'a2', 'a3'].map((messageId) => ({ messageId, lastAttempt: false })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(sent).toEqual(['a1', 'a2', 'a3']);
  });

  it('spaces the waits of held-back messages by the rate the channel has been sending at, never beyond 30 s', async () => {
    const service = deliveries([email], 1);
    const internals = service as unknown as { recentSends: Map<string, number[]>; waitForRoom(channel: string, now?: number): number };
    const now = 1_000_000;
    // 21 sends over the last second: 50 ms a send.
    internals.recentSends.set(
      'email',
      Array.from({ length: 21 }, (_, i) => now - 1000 + i * 50),
    );
    expect([1, 2, 3, 10].map(() => internals.waitForRoom('email', now))).toEqual([250, 250, 250, 250]);
    expect(Array.from({ length: 6 }, () => internals.waitForRoom('email', now))).toEqual([250, 300, 350, 400, 450, 500]);
    // Nothing ended lately (a burst's start, a stalled server): 20 ms a place, at most 30 s, no further ahead than that.
    internals.recentSends.set('email', []);
    const stalled = Array.from({ length: 2000 }, () => internals.waitForRoom('email', now + 60_000));
    expect(stalled.slice(0, 13)).toEqual([...Array(12).fill(250), 260]);
    expect(Math.max(...stalled)).toBe(30_000);
    expect(internals.waitForRoom('email', now + 60_000 + 30_000)).toBe(250);
  });
});
