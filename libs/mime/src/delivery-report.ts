import { fieldValue, parseHeaderSection, splitFieldGroups, type HeaderField } from './header-fields';
import { parseMessageIdList } from './message-id';
import type { ParsedEmail } from './parse-email';

export type DeliveryAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';

export interface RecipientReport {
  /** Final-Recipient (or Original-Recipient) without its address type, lower-cased. */
  recipient: string | null;
  action: DeliveryAction | null;
  /** The enhanced status code (RFC 3463), e.g. "5.1.1". */
  status: string | null;
  /** Diagnostic-Code without its type ("smtp; "), whitespace collapsed: the remote server's own words. */
  diagnostic: string | null;
}

export interface DeliveryReport extends RecipientReport {
  /** Message-ID of the mail the report is about, without brackets: our own outgoing message's id. */
  originalMessageId: string | null;
  /** Every recipient the report covers; the top-level fields are those of the most serious one. */
  recipients: RecipientReport[];
}

const ACTIONS: readonly DeliveryAction[] = ['failed', 'delayed', 'delivered', 'relayed', 'expanded'];
/** The recipient a report is summed up by: a failure matters more than a delay, a delay more than success. */
const SEVERITY: Record<DeliveryAction, number> = { failed: 4, delayed: 3, relayed: 2, expanded: 1, delivered: 0 };
const STATUS_CODE = /\b[245]\.\d{1,3}\.\d{1,3}\b/;
const RECIPIENT_FIELDS = ['final-recipient', 'original-recipient', 'action'];

/**
 * Reads an RFC 3464 delivery status notification: the per-recipient fields of its message/delivery-status
 * part and the Message-ID of the returned message (message/rfc822 or text/rfc822-headers), both taken from
 * parsed.reportParts. Postfix, Exim and Gmail send multipart/report; OpenSMTPD sends multipart/mixed, and
 * its "text/rfc822-headers" part holds the whole message. null for a mail without a delivery-status part.
 *
 * parseEmail keeps report parts apart from attachments and outside the attachment limits, so a bounce of a
 * large mail is still read; no second look at the raw message is needed.
 */
export function parseDeliveryReport(parsed: ParsedEmail): DeliveryReport | null {
  const statusPart = parsed.reportParts.find(
    (part) => part.contentType === 'message/delivery-status' || part.contentType === 'message/global-delivery-status',
  );
  if (!statusPart) return null;

  // The first group holds per-message fields (Reporting-MTA, Arrival-Date); recipients follow. Some MTAs
  // omit the per-message group, so any group that names a recipient or an action counts as a recipient.
  const groups = splitFieldGroups(statusPart.content.toString('utf8'));
  const recipients = groups.filter((fields) => RECIPIENT_FIELDS.some((name) => fieldValue(fields, name) !== null)).map(readRecipient);

  const main = [...recipients].sort((a, b) => severity(b) - severity(a))[0];
  return {
    originalMessageId: originalMessageId(parsed, groups[0] ?? []),
    recipient: main?.recipient ?? null,
    action: main?.action ?? null,
    status: main?.status ?? null,
    diagnostic: main?.diagnostic ?? null,
    recipients,
  };
}

function readRecipient(fields: HeaderField[]): RecipientReport {
  const action = fieldValue(fields, 'action')?.toLowerCase().split(/[\s(]/, 1)[0];
  const status = fieldValue(fields, 'status');
  const diagnostic = fieldValue(fields, 'diagnostic-code');
  const recipient = withoutType(fieldValue(fields, 'final-recipient') ?? fieldValue(fields, 'original-recipient'));
  return {
    recipient: recipient === null ? null : recipient.toLowerCase(),
    action: ACTIONS.find((known) => known === action) ?? null,
    status: status === null ? null : (STATUS_CODE.exec(status)?.[0] ?? null),
    diagnostic: withoutType(diagnostic)?.replace(/\s+/g, ' ') || null,
  };
}

function severity(report: RecipientReport): number {
  return report.action === null ? -1 : SEVERITY[report.action];
}

/** "rfc822; a@b.lv" → "a@b.lv", "smtp; 550 …" → "550 …" (RFC 3464 address-type and diagnostic-type). */
function withoutType(value: string | null): string | null {
  if (value === null) return null;
  const semicolon = value.indexOf(';');
  const rest = (semicolon === -1 ? value : value.slice(semicolon + 1)).trim().replace(/^<(.*)>$/, '$1');
  return rest === '' ? null : rest;
}

const RETURNED_MESSAGE_TYPES = ['message/rfc822', 'message/global', 'text/rfc822-headers', 'message/global-headers'];

/**
 * From the returned message's headers; failing that, from Gmail's X-Original-Message-ID among the
 * per-message fields, which is there even when the returned part is not.
 */
function originalMessageId(parsed: ParsedEmail, perMessage: HeaderField[]): string | null {
  for (const part of parsed.reportParts) {
    if (!RETURNED_MESSAGE_TYPES.includes(part.contentType)) continue;
    // OpenSMTPD's "text/rfc822-headers" holds the whole message: only the header section is read.
    const id = parseMessageIdList(fieldValue(parseHeaderSection(part.content.toString('utf8')), 'message-id'))[0];
    if (id) return id;
  }
  return parseMessageIdList(fieldValue(perMessage, 'x-original-message-id'))[0] ?? null;
}
