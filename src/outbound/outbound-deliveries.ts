import { Inject, Injectable, Logger } from '@nestjs/common';
import { batchOrOneByOne, Settled } from '@lib/micro-batcher';
import { UnrecoverableError } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { DeliveryRecord, MessageDeliveriesService } from '../tickets/message-deliveries.service';
import { CHANNEL_SENDERS, ChannelSender, OutboundEnvelope, PermanentDeliveryError } from './channel-sender';

export interface DeliveryRequest {
  messageId: string;
  /** The job has no try left after this one: a failure now marks the message failed for good. */
  lastAttempt: boolean;
}

/** Failures this class has already written onto their message, so that the job's failure handler does not again. */
const recordedFailures = new WeakSet<object>();

export function isRecordedFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && recordedFailures.has(error);
}

/** Not sent now because its channel has as many messages in hand as it may: tried again after `retryInMs`. */
export class ChannelBusy extends Error {
  constructor(
    readonly channel: string,
    readonly retryInMs: number,
  ) {
    super(`the ${channel} channel has OUTBOUND_CHANNEL_MAX_IN_FLIGHT messages in hand; tried again in ${retryInMs} ms`);
    this.name = 'ChannelBusy';
  }
}

/**
 * How long a held-back message waits: until the channel, sending at the rate it has just been sending, should have
 * room for it behind those held back before it; 20 ms a place while the rate is not known (the start of a burst, or
 * a stalled server: about what a pool of SMTP connections sends). Between a quarter of a second and 30 s.
 */
const BUSY_WAIT_MIN_MS = 250;
const BUSY_WAIT_MAX_MS = 30_000;
const BUSY_WAIT_UNKNOWN_RATE_MS = 20;
/** Sends of a channel that its rate is measured over. */
const RATE_WINDOW_SENDS = 200;
const RATE_WINDOW_MS = 10_000;

/**
 * Delivers a batch of stored outbound messages: reads them in one statement, sends them concurrently (the SMTP
 * transport spreads them over its pooled connections), and records each channel's outcomes in one statement as
 * soon as that channel's sends are done, so a slow channel does not keep a fast one's messages shown as queued. A
 * message that fails fails alone: the others are sent and recorded all the same, and only its own job is retried.
 * Messages to the same address on the same channel leave one after the other, in the order they were queued.
 *
 * Each channel has at most OUTBOUND_CHANNEL_MAX_IN_FLIGHT messages in hand in this process; the rest of its share
 * of a batch is answered ChannelBusy (whole addresses at a time, so their order holds), and their jobs wait,
 * delayed, without holding the worker's places that the other channels need.
 */
@Injectable()
export class OutboundDeliveries {
  private readonly logger = new Logger(OutboundDeliveries.name);
  private readonly senders: Map<string, ChannelSender>;

  private readonly inFlight = new Map<string, number>();
  /** When each channel's latest sends ended, oldest first: its rate. */
  private readonly recentSends = new Map<string, number[]>();
  /** When each channel should have room for the last message held back: the next one queues behind it. */
  private readonly roomAt = new Map<string, number>();
  private readonly maxInFlight: number;

  constructor(
    @Inject(CHANNEL_SENDERS) senders: ChannelSender[],
    private readonly deliveries: MessageDeliveriesService,
    private readonly metrics: MetricsService,
    config: AppConfig,
  ) {
    this.senders = new Map(senders.map((s) => [s.channel, s]));
    this.maxInFlight = config.outboundChannelMaxInFlight;
  }

  /** Messages of the channel in hand now (sent, or waiting in its transport). */
  inHand(channel: string): number {
    return this.inFlight.get(channel) ?? 0;
  }

  /** One result per request, in order: the provider's response, or the error its job fails with. */
  async deliver(requests: readonly DeliveryRequest[]): Promise<Array<Settled<string>>> {
    const lastAttempt = new Map<string, boolean>();
    // A job run twice at once (stalled, then taken again) may put one message twice into a batch: it is sent once.
    for (const r of requests) lastAttempt.set(r.messageId, (lastAttempt.get(r.messageId) ?? false) || r.lastAttempt);
    const ids = [...lastAttempt.keys()];
    const outcomes = new Map<string, Settled<string>>();

    // One malformed message must not keep the rest of the batch from being read.
    const loaded = await batchOrOneByOne(
      ids,
      async (batch) => {
        const found = await this.deliveries.loadEnvelopes(batch);
        return batch.map((id) => found.get(id) ?? null);
      },
      (error, size) => this.logger.warn({ err: error, size }, 'could not read an outbound batch; reading its messages one by one'),
    );
    // Per channel, the messages of each address in queue order.
    const byChannel = new Map<string, Map<string, OutboundEnvelope[]>>();
    loaded.forEach((result, i) => {
      if (!result.ok) outcomes.set(ids[i], result);
      else if (!result.value)
        outcomes.set(ids[i], { ok: true, value: 'nothing to send' }); // already sent (a replayed job) or deleted
      else {
        const envelope = result.value;
        const recipients = byChannel.get(envelope.channel) ?? byChannel.set(envelope.channel, new Map()).get(envelope.channel)!;
        recipients.set(envelope.to, [...(recipients.get(envelope.to) ?? []), envelope]);
      }
    });

    await Promise.all(
      [...byChannel].map(async ([channel, recipients]) => {
        const admitted = this.admit(channel, [...recipients.values()], outcomes);
        const count = admitted.reduce((n, group) => n + group.length, 0);
        if (count === 0) return;
        this.inFlight.set(channel, this.inHand(channel) + count);
        const records: DeliveryRecord[] = [];
        try {
          await Promise.all(
            admitted.map(async (envelopes) => {
              for (const envelope of envelopes) {
                const messageId = envelope.messageId;
                try {
                  const { response } = await this.send(envelope).finally(() => this.sendEnded(channel));
                  records.push({ messageId, sent: true, response });
                  outcomes.set(messageId, { ok: true, value: response });
                } catch (error) {
                  const failure = error instanceof PermanentDeliveryError ? new UnrecoverableError(error.message) : error;
                  const final = failure instanceof UnrecoverableError || lastAttempt.get(messageId) === true;
                  records.push({ messageId, sent: false, reason: error instanceof Error ? error.message : String(error), final });
                  outcomes.set(messageId, { ok: false, error: failure });
                }
              }
            }),
          );
        } finally {
          this.inFlight.set(channel, this.inHand(channel) - count);
        }
        try {
          await this.deliveries.record(records);
        } catch (error) {
          // Every job of this channel's share fails and is retried: a mail sent but not recorded goes out again,
          // as it did when each job recorded its own. The other channels' outcomes stand.
          for (const r of records) outcomes.set(r.messageId, { ok: false, error });
          return;
        }
        for (const r of records) {
          if (r.sent) this.metrics.outboundMessages.inc({ channel, outcome: 'sent' });
          else {
            const failure = outcomes.get(r.messageId);
            if (failure && !failure.ok && typeof failure.error === 'object' && failure.error !== null) recordedFailures.add(failure.error);
          }
        }
      }),
    );
    return requests.map((r) => outcomes.get(r.messageId)!);
  }

  /**
   * The addresses whose messages go now, whole, while the channel has room (one address always goes when nothing of
   * the channel is in hand, however many messages it has); the others are answered ChannelBusy.
   */
  private admit(channel: string, groups: OutboundEnvelope[][], outcomes: Map<string, Settled<string>>): OutboundEnvelope[][] {
    const admitted: OutboundEnvelope[][] = [];
    let room = this.maxInFlight - this.inHand(channel);
    // The channel's rate, read once for all the messages of the batch that are held back.
    let perSend: number | undefined;
    for (const group of groups) {
      if (group.length <= room || (admitted.length === 0 && this.inHand(channel) === 0)) {
        admitted.push(group);
        room -= group.length;
        continue;
      }
      for (const envelope of group) {
        perSend ??= this.perSend(channel);
        outcomes.set(envelope.messageId, { ok: false, error: new ChannelBusy(channel, this.waitForRoom(channel, Date.now(), perSend)) });
        this.metrics.outboundMessages.inc({ channel, outcome: 'busy' });
      }
    }
    return admitted;
  }

  private sendEnded(channel: string): void {
    const ended = this.recentSends.get(channel) ?? this.recentSends.set(channel, []).get(channel)!;
    ended.push(Date.now());
    if (ended.length > RATE_WINDOW_SENDS) ended.shift();
  }

  /**
   * A held-back message's wait, one place behind the previous one: so a burst comes back about when the channel can
   * take it, rather than all at once to be held back again (each return costs a read of the message).
   */
  private waitForRoom(channel: string, now = Date.now(), perSend = this.perSend(channel, now)): number {
    // Never further ahead than the longest wait, so that a channel that was stalled and recovers is not left with
    // a queue of waits that its speed no longer needs.
    const roomAt = Math.min(now + BUSY_WAIT_MAX_MS, Math.max(now, this.roomAt.get(channel) ?? 0) + Math.max(perSend, 1));
    this.roomAt.set(channel, roomAt);
    return Math.round(Math.min(BUSY_WAIT_MAX_MS, Math.max(BUSY_WAIT_MIN_MS, roomAt - now)));
  }

  /** How long one send of the channel has taken lately, from when its recent sends ended. */
  private perSend(channel: string, now = Date.now()): number {
    const ended = (this.recentSends.get(channel) ?? []).filter((t) => t >= now - RATE_WINDOW_MS);
    return ended.length >= 10 ? (ended[ended.length - 1] - ended[0]) / (ended.length - 1) : BUSY_WAIT_UNKNOWN_RATE_MS;
  }

  private async send(envelope: OutboundEnvelope): Promise<{ response: string }> {
    const sender = this.senders.get(envelope.channel);
    if (!sender) throw new UnrecoverableError(`no sender is configured for the ${envelope.channel} channel`);
    return sender.send(envelope);
  }
}
