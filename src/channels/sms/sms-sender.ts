import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { ChannelSender, OutboundEnvelope, PermanentDeliveryError, SendResult } from '../../outbound/channel-sender';
import { TWILIO_REST, TwilioRestClient } from '../voice/twilio-rest';

/**
 * Sends level 0's SMS (the reference after a voicemail or a call-back request) through Twilio's Messaging API
 * (POST /2010-04-01/Accounts/{sid}/Messages.json) at TWILIO_API_BASE_URL, from TWILIO_SMS_FROM: a number, or a
 * Messaging Service (MG…) that picks one. Twilio has no idempotency key, so exactly-once rests on the outbound
 * queue: one job per stored message, and a message already marked sent is not sent again.
 */
@Injectable()
export class SmsSender implements ChannelSender {
  readonly channel = 'sms';

  constructor(
    private readonly config: AppConfig,
    @Inject(TWILIO_REST) private readonly twilio: TwilioRestClient | null,
  ) {}

  async send(envelope: OutboundEnvelope): Promise<SendResult> {
    const from = this.config.TWILIO_SMS_FROM;
    if (!this.twilio || !from) throw new PermanentDeliveryError('SMS is not configured (TWILIO_ACCOUNT_SID, TWILIO_SMS_FROM)');
    try {
      const sent = await this.twilio.messages.create({
        to: envelope.to,
        body: envelope.text,
        ...(from.startsWith('MG') ? { messagingServiceSid: from } : { from }),
      });
      return { response: `twilio ${sent.sid} ${sent.status}` };
    } catch (error) {
      // Twilio's 4xx (a bad or unsubscribed number, a refused sender) will not change on a retry; 429 and 5xx may.
      const status = (error as { status?: number }).status;
      if (status && status >= 400 && status < 500 && status !== 429) {
        throw new PermanentDeliveryError(
          `Twilio refused the SMS: ${status} ${(error as { code?: number }).code ?? ''} ${(error as Error).message}`.trim(),
        );
      }
      throw error;
    }
  }
}
