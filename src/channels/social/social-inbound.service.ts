import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { CsatService, SOCIAL_CSAT_PAYLOAD } from '../../csat/csat.service';
import type { IdentifierKind } from '../../customers/entities/customer-identifier.entity';
import type { InboundMessage } from '../../inbound/inbound-message';
import { InboundService } from '../../inbound/inbound.service';
import { withTimeout } from '../../common/with-timeout';
import { MetricsService } from '../../metrics/metrics.service';
import { JobName, QueueName } from '../../queues';
import { SOCIAL_MEDIA_JOB_OPTIONS, socialMediaJobId, SocialMediaJobData } from './social-media';
import { ParsedDelivery, SocialDeliveryFailure, SocialMessage, SocialPlatform } from './social-event';

const IDENTIFIER_OF: Record<SocialPlatform, IdentifierKind> = {
  messenger: 'messenger_psid',
  instagram: 'instagram_igsid',
  whatsapp: 'phone',
  telegram: 'telegram_chat',
};

const ENQUEUE_TIMEOUT_MS = 2000;

/** A social address names the platform too: the same number can be a PSID on one and a chat id on another. */
export const socialAddress = (platform: SocialPlatform, id: string) => `${platform}:${id}`;

export function parseSocialAddress(address: string | null | undefined): { platform: SocialPlatform; id: string } | null {
  const m = /^(messenger|instagram|whatsapp|telegram):(.+)$/.exec(address ?? '');
  return m ? { platform: m[1] as SocialPlatform, id: m[2] } : null;
}

/** A failed-delivery status travels the pipeline as a delivery report: it marks our message failed, opens nothing. */
function failureReport(f: SocialDeliveryFailure): InboundMessage {
  return {
    channel: 'social',
    externalId: `${f.platform}-status:${f.id}:failed`,
    from: { identifiers: [] },
    text: '',
    deliveryReport: {
      originalExternalId: f.messageExternalId,
      action: 'failed',
      status: f.code,
      diagnostic: f.reason,
      recipient: f.recipient,
    },
    meta: { platform: f.platform },
  };
}

export interface SocialAcceptSummary {
  /** Customer messages new to us. */
  accepted: number;
  /** Reports that a reply we sent failed. */
  failures: number;
  duplicates: number;
  ignored: number;
  unrecognised: number;
  /** Presses of survey buttons: scores, not messages. */
  surveyAnswers?: number;
}

/** Turns what a social webhook held into InboundMessages, hands them to the shared pipeline, and counts the rest. */
@Injectable()
export class SocialInboundService {
  private readonly logger = new Logger(SocialInboundService.name);

  constructor(
    private readonly inbound: InboundService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    private readonly csat: CsatService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.SocialMedia) private readonly mediaQueue: Queue<SocialMediaJobData>,
  ) {}

  async accept(source: 'meta' | 'telegram', delivery: ParsedDelivery, sample: unknown): Promise<SocialAcceptSummary> {
    for (const [reason, n] of Object.entries(delivery.ignored))
      this.metrics.inboundEvents.inc({ channel: 'social', outcome: 'ignored', reason }, n);
    const unrecognised = Object.values(delivery.unrecognised).reduce((a, b) => a + b, 0);
    if (unrecognised > 0) {
      for (const [reason, n] of Object.entries(delivery.unrecognised)) {
        this.metrics.inboundEvents.inc({ channel: 'social', outcome: 'unrecognised', reason: `${source}_${reason}` }, n);
      }
      // The shape is what needs fixing, so the log keeps a bounded piece of the payload itself.
      this.logger.warn(
        { source, reasons: delivery.unrecognised, sample: JSON.stringify(sample)?.slice(0, 2000) },
        'social webhook held parts of unknown shape',
      );
    }
    // A press of a survey button is a score for the ticket, not a message that opens or continues one.
    const answers = delivery.messages.filter((m) => surveyPayload(m) !== null);
    for (const m of answers) {
      const recorded = await this.csat.recordSocialAnswer(surveyPayload(m)!, socialAddress(m.platform, m.senderId));
      this.metrics.inboundEvents.inc({
        channel: 'social',
        outcome: recorded ? 'csat' : 'rejected',
        reason: recorded ? 'survey_answer' : 'survey_answer_unknown_ticket',
      });
    }
    if (answers.length > 0) delivery = { ...delivery, messages: delivery.messages.filter((m) => !answers.includes(m)) };
    const messages = [...(await this.toInboundMessages(delivery.messages)), ...delivery.failures.map(failureReport)];
    const results = await this.inbound.acceptMany(messages);
    await this.fetchFilesLater(
      delivery.messages.flatMap((m, i) =>
        m.attachments.length > 0 && !results[i].duplicate
          ? [{ eventId: results[i].eventId, platform: m.platform, attachments: m.attachments }]
          : [],
      ),
    );
    return {
      // Results come in the order given: the customer messages first, then the failure reports.
      accepted: results.slice(0, delivery.messages.length).filter((r) => !r.duplicate).length,
      failures: delivery.failures.length,
      duplicates: results.filter((r) => r.duplicate).length,
      ignored: Object.values(delivery.ignored).reduce((a, b) => a + b, 0),
      unrecognised,
      ...(answers.length > 0 ? { surveyAnswers: answers.length } : {}),
    };
  }

  /**
   * Files are fetched by the worker, never while the platform waits for our answer. The message is accepted
   * already, so a queue that cannot be reached costs the file, not the message: it keeps the reference.
   */
  private async fetchFilesLater(jobs: SocialMediaJobData[]): Promise<void> {
    if (jobs.length === 0) return;
    try {
      // While Redis is away its client queues commands: the webhook must not wait for it.
      await withTimeout(
        this.mediaQueue.addBulk(
          jobs.map((data) => ({
            name: JobName.FetchSocialMedia,
            data,
            opts: { ...SOCIAL_MEDIA_JOB_OPTIONS, jobId: socialMediaJobId(data.eventId) },
          })),
        ),
        ENQUEUE_TIMEOUT_MS,
        'Redis',
      );
    } catch (error) {
      this.logger.warn(
        { err: error, events: jobs.map((j) => j.eventId) },
        'social files not queued for fetching; the messages keep their references',
      );
    }
  }

  private async toInboundMessages(messages: SocialMessage[]): Promise<InboundMessage[]> {
    const previous = await this.lastMessageOfEachSender(messages);
    return messages.map((m) => {
      const address = socialAddress(m.platform, m.senderId);
      const externalId = `${m.platform}:${m.id}`;
      // A conversation on a social network has no subject or reference: it continues the sender's last ticket on
      // that platform (the ingest service reopens or follows up a closed one), or the message they quoted.
      const hints = [previous.get(address), m.replyTo ? `${m.platform}:${m.replyTo}` : undefined].filter((x): x is string => !!x);
      previous.set(address, externalId); // the next message of the same sender in this delivery follows this one
      // The platform vouches for its sender id (a WhatsApp sender is a phone number), and Telegram for the number of
      // the account that shared its own contact (the only phone the adapter keeps).
      const identifiers: InboundMessage['from']['identifiers'] = [
        { kind: IDENTIFIER_OF[m.platform], value: m.senderId, provenance: 'channel' },
      ];
      if (m.phone && m.platform !== 'whatsapp') identifiers.push({ kind: 'phone', value: m.phone, provenance: 'channel' });
      return {
        channel: 'social',
        externalId,
        sentAt: m.sentAt,
        from: { firstName: m.firstName, lastName: m.lastName, address, identifiers },
        // The citizen is told the reference in the conversation, once per ticket.
        referenceNotice: { channel: 'social', address },
        to: socialAddress(m.platform, m.recipientId),
        threadHints: hints.length ? { externalIds: hints } : undefined,
        institutionCode: this.config.SOCIAL_INSTITUTION,
        language: m.language,
        text: m.text,
        meta: { platform: m.platform, ...m.meta },
      };
    });
  }

  /**
   * The newest message each sender wrote on social before: looked up through the tickets their sender id is a
   * contact of (indexed), never by scanning messages, and whichever customer record those tickets belong to.
   */
  private async lastMessageOfEachSender(messages: SocialMessage[]): Promise<Map<string, string>> {
    const senders = [...new Map(messages.map((m) => [socialAddress(m.platform, m.senderId), m])).values()];
    const found = new Map<string, string>();
    if (senders.length === 0) return found;
    const rows: Array<{ address: string; external_id: string }> = await this.dataSource.query(
      `SELECT DISTINCT ON (ms.address) ms.address, ms.external_id
       FROM unnest($1::text[], $2::text[], $3::text[]) AS s(kind, value, address)
       JOIN ticket_contacts tc ON tc.kind = s.kind AND tc.value = s.value
       JOIN messages ms ON ms.ticket_id = tc.ticket_id AND ms.channel = 'social' AND ms.direction = 'inbound' AND ms.address = s.address
       ORDER BY ms.address, ms.created_at DESC`,
      [
        senders.map((m) => IDENTIFIER_OF[m.platform]),
        senders.map((m) => m.senderId),
        senders.map((m) => socialAddress(m.platform, m.senderId)),
      ],
    );
    for (const r of rows) found.set(r.address, r.external_id);
    return found;
  }
}

/** The payload of a survey button the message is a press of (quick reply, WhatsApp list reply, Telegram callback), if any. */
function surveyPayload(m: SocialMessage): string | null {
  const meta = m.meta ?? {};
  const candidates = [meta.quickReply, meta.interactive, meta.postback, 'callbackQuery' in meta ? m.text : undefined];
  const payload = candidates.find((c): c is string => typeof c === 'string' && SOCIAL_CSAT_PAYLOAD.test(c));
  return payload ?? null;
}
