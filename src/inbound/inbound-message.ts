import type { ContactIdentifier } from '../customers/customer-matching';
import type { Channel, Language, TicketKind } from '../tickets/entities/ticket.entity';

/** A file as a channel adapter received it; stored when the event is accepted. */
export interface InboundAttachment {
  filename: string;
  /** The type detected from the content. */
  contentType: string;
  content: Buffer;
}

/**
 * The one contract every channel adapter produces. The pipeline knows nothing about the vendor beyond the
 * channel name and the external id, which together identify the event for ever (replays are duplicates).
 */
export interface InboundMessage {
  channel: Channel;
  /** The channel's own id for this event: form submission id, Message-ID, CallSid, Meta mid, Telegram update_id. */
  externalId: string;
  /** When the sender says it was sent. */
  sentAt?: string;
  from: {
    firstName?: string;
    lastName?: string;
    /** Where the customer is on this channel (the From address of an e-mail), kept on the message. */
    address?: string;
    /**
     * Normalised values (e-mail lower-case, phone E.164, personal code 11 digits), each with where it came from:
     * that, not the value, decides whether it may join the contact to an existing customer.
     */
    identifiers: ContactIdentifier[];
    /**
     * A member of staff with a limited scope logged the contact: the identifiers they typed may join only a customer
     * who already has a ticket in these institutions, so logging a contact cannot look anyone else up.
     */
    linkScope?: { institutionIds: string[] };
  };
  /** The address the contact came in on (mailbox, phone number, page id). */
  to?: string;
  threadHints?: {
    /** A ticket reference the customer quoted (e.g. in a subject line). */
    reference?: string;
    /** Earlier external ids of the same conversation (In-Reply-To / References). */
    externalIds?: string[];
  };
  /** What the channel already knows of the contact; level 0 classifies what it does not. */
  institutionCode?: string;
  topic?: string;
  kind?: TicketKind;
  language?: Language;
  subject?: string;
  text: string;
  /** Sanitised HTML, if the channel has any. */
  html?: string;
  attachments?: InboundAttachment[];
  /** The channel's own fields worth keeping (never secrets). */
  meta?: Record<string, unknown>;
  /**
   * A contact a member of staff logs after serving it at a counter or on a direct line: the message is their
   * record of it, and the ticket may already be resolved.
   */
  loggedBy?: { agentId: string; resolved: boolean };
  /**
   * Level 0 served the contact in full (the caller heard the IVR's answer and hung up): the ticket is recorded
   * for the figures, resolved at level 0, and handed to no queue.
   */
  servedAtLevel0?: boolean;
  /**
   * The contact ended served and its person is asked how we did, on the channel the survey service picks (a caller who
   * heard the IVR's answer: the link by SMS to a mobile number).
   */
  askSatisfaction?: boolean;
  /**
   * The event may join a conversation but must never open a ticket (an out-of-office reply, a mailing list):
   * when nothing threads it, it is dropped.
   */
  threadOnly?: boolean;
  /**
   * Level 0 may acknowledge a new ticket to this address; or the adapter says why it must not (automated mail:
   * answering it could start a loop).
   */
  autoReply?: { address: string } | { suppressed: string };
  /**
   * Level 0 tells the citizen the ticket's reference here, once per ticket (on a new or an existing ticket): in the
   * social conversation, or by SMS to the number a voicemail or a call-back request came from.
   */
  referenceNotice?: { channel: 'social' | 'sms'; address: string };
  /**
   * Level 0 keeps the contact for now (a chat with the virtual assistant): a ticket it opens starts at level 0 with
   * status `bot` and in no queue, so nobody is offered it and no SLA clock runs until it is handed over.
   */
  atLevelZero?: boolean;
  /** What level 0 already answered in real time to this message; kept on the ticket right after it. */
  assistantReply?: { text: string; meta?: Record<string, unknown> };
  /**
   * The contact goes to a person now: a ticket still with level 0 is routed (level, queue, status queued) and an
   * Escalation row records it with this summary; a ticket opened by this event starts routed with the summary.
   */
  handOver?: {
    summary: string;
    comment: string;
    /** A member of staff took the conversation over from level 0: the ticket is theirs at once, not the queue's. */
    takenBy?: string;
  };
  /**
   * The conversation ended (the visitor closed the chat). A ticket still with level 0 is resolved there when the
   * assistant's answer helped, and closed otherwise (nobody needs to act on it); one with a person is left to them.
   */
  conversationEnded?: { resolvedAtLevelZero: boolean };
  /**
   * The event is a delivery report about a message we sent (an RFC 3464 bounce): it marks that message and opens
   * no ticket.
   */
  deliveryReport?: {
    originalExternalId: string | null;
    action: string | null;
    status: string | null;
    diagnostic: string | null;
    recipient: string | null;
  };
}

/** An accepted event as the pipeline reads it back from `inbound_events`: attachments are stored apart, by id. */
export interface AcceptedEvent {
  eventId: string;
  receivedAt: string;
  /** Reserved when the channel had to answer with a reference at once. */
  reference: string | null;
  message: Omit<InboundMessage, 'attachments'> & { attachmentIds: string[] };
}

/**
 * What travels on the `inbound` queue: the ids of the events accepted together, no content. The worker reads the
 * events from PostgreSQL, so a citizen's message is never copied into Redis and the API serialises it once.
 */
export interface InboundEventsJobData {
  eventIds: string[];
}

/**
 * A job of one event, as versions before `InboundEventsJobData` queued them; still run, so that an upgrade loses
 * none. The oldest also carry `message`; it is not read.
 */
export interface InboundJobData {
  eventId: string;
  channel: InboundMessage['channel'];
}

export interface AcceptResult {
  eventId: string;
  reference: string | null;
  /** accepted: waiting to be processed; processed: already a ticket message; failed: gave up after retries. */
  status: 'accepted' | 'processed' | 'failed';
  duplicate: boolean;
}
