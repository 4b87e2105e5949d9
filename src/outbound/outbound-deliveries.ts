import { Inject, Injectable, Logger } from '@nestjs/common';
import { batchOrOneByOne, Settled } from '@lib/micro-batcher';
import { UnrecoverableError } from 'bullmq';
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

/**
 * Delivers a batch of stored outbound messages: reads them in one statement, sends them concurrently (the SMTP
 * transport spreads them over its pooled connections), and records every outcome in one statement. A message
 * that fails fails alone: the others are sent and recorded all the same, and only its own job is retried.
 * Messages to the same address on the same channel leave one after the other, in the order they were queued.
 */
@Injectable()
export class OutboundDeliveries {
  private readonly logger = new Logger(OutboundDeliveries.name);
  private readonly senders: Map<string, ChannelSender>;

  constructor(
    @Inject(CHANNEL_SENDERS) senders: ChannelSender[],
    private readonly deliveries: MessageDeliveriesService,
    private readonly metrics: MetricsService,
  ) {
    this.senders = new Map(senders.map((s) => [s.channel, s]));
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
    const byRecipient = new Map<string, OutboundEnvelope[]>();
    const channelOf = new Map<string, string>();
    loaded.forEach((result, i) => {
      if (!result.ok) outcomes.set(ids[i], result);
      else if (!result.value)
        outcomes.set(ids[i], { ok: true, value: 'nothing to send' }); // already sent (a replayed job) or deleted
      else {
        const key = `${result.value.channel} ${result.value.to}`;
        channelOf.set(ids[i], result.value.channel);
        byRecipient.set(key, [...(byRecipient.get(key) ?? []), result.value]);
      }
    });

    const records: DeliveryRecord[] = [];
    await Promise.all(
      [...byRecipient.values()].map(async (envelopes) => {
        for (const envelope of envelopes) {
          const messageId = envelope.messageId;
          try {
            const { response } = await this.send(envelope);
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

    // Should this fail, every job of the batch fails and is retried: a mail sent but not recorded goes out again,
    // as it did when each job recorded its own.
    await this.deliveries.record(records);
    for (const r of records) {
      if (r.sent) this.metrics.outboundMessages.inc({ channel: channelOf.get(r.messageId) ?? 'any', outcome: 'sent' });
      else {
        const failure = outcomes.get(r.messageId);
        if (failure && !failure.ok && typeof failure.error === 'object' && failure.error !== null) recordedFailures.add(failure.error);
      }
    }
    return requests.map((r) => outcomes.get(r.messageId)!);
  }

  private async send(envelope: OutboundEnvelope): Promise<{ response: string }> {
    const sender = this.senders.get(envelope.channel);
    if (!sender) throw new UnrecoverableError(`no sender is configured for the ${envelope.channel} channel`);
    return sender.send(envelope);
  }
}
