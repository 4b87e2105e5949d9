import type { Classification } from '@lib/contact-classifier';
import type { AcceptedEvent } from '../inbound/inbound-message';
import type { Channel, TicketKind } from './entities/ticket.entity';

/** Channels where citizens write in their own words, so what they are about must be read from the text. */
export const FREE_TEXT_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(['email', 'social', 'chat', 'webform']);

export interface ContactLabels {
  institutionCode?: string;
  topic?: string;
  kind?: TicketKind;
  /** The model that classified the contact, or null when nothing was classified. */
  classifierVersion: number | null;
  classifierConfidence: number | null;
  /** Level 0 could not tell the institution: the general queue, for a person to classify. */
  unclassified: boolean;
}

type Message = AcceptedEvent['message'];

/**
 * What a new ticket is about. What the channel says wins (a web form's chosen institution, an institution's own
 * mailbox); level 0's classifier fills in what it does not say, for free-text contacts that reach a person (not a
 * contact staff logged, nor a chat still with the assistant). Below `minConfidence` the institution is left empty
 * and the contact is marked unclassified; a topic is only taken with the institution it belongs to.
 */
export function contactLabels(message: Message, classify: (text: string) => Classification | null, minConfidence: number): ContactLabels {
  const given: ContactLabels = {
    institutionCode: message.institutionCode,
    topic: message.topic,
    kind: message.kind,
    classifierVersion: null,
    classifierConfidence: null,
    unclassified: false,
  };
  const withPerson = !message.loggedBy && !message.servedAtLevel0 && !(message.atLevelZero && !message.handOver);
  if (!FREE_TEXT_CHANNELS.has(message.channel) || !withPerson) return given;
  if (message.institutionCode && message.topic && message.kind) return given;
  const c = classify([message.subject, message.text].filter(Boolean).join('\n'));
  if (!c) return given;
  const confident = c.institution !== null && c.institutionConfidence >= minConfidence;
  const institutionCode = message.institutionCode ?? (confident ? c.institution! : undefined);
  const topicFits = confident && c.institution === institutionCode?.toUpperCase();
  return {
    institutionCode,
    topic: message.topic ?? (topicFits && c.topic ? c.topic : undefined),
    kind: message.kind ?? (c.kindConfidence >= minConfidence ? c.kind : undefined),
    classifierVersion: c.modelVersion,
    classifierConfidence: c.institutionConfidence,
    unclassified: !message.institutionCode && !confident,
  };
}
