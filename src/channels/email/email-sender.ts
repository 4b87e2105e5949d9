import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { buildReplySubject, formatMessageIdHeader } from '@lib/mime';
import nodemailer, { Transporter } from 'nodemailer';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { ChannelSender, OutboundEnvelope, PermanentDeliveryError, SendResult } from '../../outbound/channel-sender';

/**
 * Sends outbound e-mail over SMTP with our Message-ID and the thread's In-Reply-To/References, so the reply
 * threads in the customer's mail client and their answer threads back onto the ticket. Automatic mail says so
 * (RFC 3834) so that other robots do not answer it.
 */
@Injectable()
export class EmailSender implements ChannelSender, OnModuleDestroy {
  readonly channel = 'email';
  private readonly logger = new Logger(EmailSender.name);
  private readonly transport: Transporter | null;
  /**
   * Our mailbox addresses, re-read at most every few seconds: every outgoing mail needs its From. The read itself
   * is kept, so that a batch of mails sent at once with nothing cached asks PostgreSQL once, not once per mail.
   */
  private mailboxAddresses: { at: number; byLower: Promise<Map<string, string>> } | null = null;

  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.transport = config.SMTP_HOST
      ? nodemailer.createTransport({
          host: config.SMTP_HOST,
          port: config.SMTP_PORT,
          secure: config.SMTP_TLS,
          auth: config.SMTP_USER ? { user: config.SMTP_USER, pass: config.SMTP_PASSWORD ?? '' } : undefined,
          // Every outgoing mail of this process (acknowledgements come in bursts with a chunk of new tickets) shares
          // these connections. Each is renewed after nodemailer's default of 100 messages: servers refuse more in
          // one session (OpenSMTPD's `max-mails` is 100; with more, every further message failed and was retried).
          pool: true,
          maxConnections: config.SMTP_MAX_CONNECTIONS,
          connectionTimeout: config.SMTP_TIMEOUT_MS,
          greetingTimeout: config.SMTP_TIMEOUT_MS,
          socketTimeout: config.SMTP_TIMEOUT_MS,
        })
      : null;
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }

  async send(envelope: OutboundEnvelope): Promise<SendResult> {
    if (!this.transport) throw new PermanentDeliveryError('SMTP is not configured (SMTP_HOST is unset)');
    const from = await this.fromAddress(envelope.originAddress);
    const subject =
      envelope.subject && envelope.author === 'bot'
        ? envelope.subject
        : buildReplySubject(envelope.subject ?? envelope.ticketSubject, envelope.ticketReference);
    const thread = envelope.thread.slice(-30); // long threads: the newest ids are the ones clients use
    try {
      const info = await this.transport.sendMail({
        from,
        to: envelope.to,
        subject,
        text: envelope.text,
        html: envelope.html ?? undefined,
        messageId: envelope.externalId ? formatMessageIdHeader(envelope.externalId) : undefined,
        inReplyTo: envelope.inReplyTo ? formatMessageIdHeader(envelope.inReplyTo) : undefined,
        references: thread.map(formatMessageIdHeader),
        // Bounces come back to the mailbox we read, where they mark this message failed.
        envelope: { from: extractAddress(from), to: envelope.to },
        headers:
          envelope.author === 'bot'
            ? { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All', Precedence: 'auto_reply' }
            : { 'X-VPPPD-Reference': envelope.ticketReference },
        attachments: envelope.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
      });
      return { response: String(info.response ?? 'accepted') };
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      // 5xx means the server will never take this message: retrying would only delay telling the operator.
      if (code && code >= 500) throw new PermanentDeliveryError(`SMTP ${code}: ${(error as Error).message}`);
      // nodemailer says "Greeting never received" or "Timeout": the message's error says what the operator needs.
      if ((error as { code?: string }).code === 'ETIMEDOUT')
        throw new Error(`the SMTP server did not answer within ${this.config.SMTP_TIMEOUT_MS} ms (${(error as Error).message})`);
      throw error;
    }
  }

  /** From the mailbox the ticket came in on when it is one of ours; otherwise the centre's general sender. */
  private async fromAddress(originAddress: string | null): Promise<string> {
    if (originAddress) {
      if (!this.mailboxAddresses || Date.now() - this.mailboxAddresses.at > 10_000) {
        const read = this.dataSource
          .query('SELECT address FROM mailboxes WHERE enabled')
          .then((rows: Array<{ address: string }>) => new Map(rows.map((r) => [r.address.toLowerCase(), r.address])));
        const cached = { at: Date.now(), byLower: read };
        this.mailboxAddresses = cached;
        // A failed read is not kept: the next mail asks again.
        read.catch(() => {
          if (this.mailboxAddresses === cached) this.mailboxAddresses = null;
        });
      }
      const mailbox = (await this.mailboxAddresses.byLower).get(originAddress.toLowerCase());
      if (mailbox) return mailbox;
    }
    if (!this.config.MAIL_FROM) throw new PermanentDeliveryError('MAIL_FROM is not configured');
    return this.config.MAIL_FROM;
  }
}

function extractAddress(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
}
