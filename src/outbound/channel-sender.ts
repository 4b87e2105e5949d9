/** Everything a channel needs to deliver one stored outbound message. */
export interface OutboundEnvelope {
  messageId: string;
  channel: string;
  /** Our own id for the message on the channel (an e-mail's Message-ID), fixed before the first try. */
  externalId: string | null;
  ticketReference: string;
  ticketSubject: string | null;
  /** The customer's address on the channel. */
  to: string;
  /** The address the ticket came in on; the channel sends from it when it is one of ours. */
  originAddress: string | null;
  subject: string | null;
  text: string;
  html: string | null;
  author: 'agent' | 'bot' | 'system';
  /** External ids of the conversation so far, oldest first (an e-mail's References). */
  thread: string[];
  /** The message this one answers. */
  inReplyTo: string | null;
  attachments: Array<{ filename: string; contentType: string; content: Buffer }>;
  /** Buttons under the text (a survey's scores): what the channel sends back when one is pressed is the id. */
  choices?: Array<{ id: string; title: string }>;
}

export interface SendResult {
  /** What the provider said (an SMTP response line, an API message id). */
  response: string;
}

/** One small interface per outbound channel: deliver, or throw. A PermanentDeliveryError is not retried. */
export interface ChannelSender {
  readonly channel: string;
  send(envelope: OutboundEnvelope): Promise<SendResult>;
}

export class PermanentDeliveryError extends Error {}

export const CHANNEL_SENDERS = Symbol('CHANNEL_SENDERS');
