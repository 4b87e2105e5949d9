import { detectFileType } from '@lib/attachments';
import { classifyAutomated, ParsedEmail, parseDeliveryReport } from '@lib/mime';
import { findReference } from '@lib/ticket-reference';
import type { InboundAttachment, InboundMessage } from '../../inbound/inbound-message';

export interface MailboxContext {
  name: string;
  address: string;
  institutionCode: string | null;
  referencePrefix: string;
}

/** Splits "Jānis Bērziņš" into first and last name; a single word is kept as the first name. */
function splitName(name: string | undefined): { firstName?: string; lastName?: string } {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return {};
  if (parts.length === 1) return { firstName: parts[0] };
  return { firstName: parts.slice(0, -1).join(' '), lastName: parts[parts.length - 1] };
}

/**
 * Turns one parsed e-mail into the pipeline's InboundMessage. Automated mail (auto-replies, lists, bounces) is
 * still ingested where it belongs, but never acknowledged; a delivery report becomes a report, not a ticket.
 */
export function emailToInbound(parsed: ParsedEmail, mailbox: MailboxContext): InboundMessage {
  const automated = classifyAutomated(parsed);
  const subject = parsed.subject ?? '';
  const base = {
    channel: 'email' as const,
    externalId: parsed.messageId,
    sentAt: parsed.date ? parsed.date.toISOString() : undefined,
    to: mailbox.address,
  };

  if (automated.kind === 'delivery-report') {
    const report = parseDeliveryReport(parsed);
    return {
      ...base,
      from: { identifiers: [] },
      subject,
      text: parsed.text ?? '',
      deliveryReport: {
        originalExternalId: report?.originalMessageId ?? null,
        action: report?.action ?? null,
        status: report?.status ?? null,
        diagnostic: report?.diagnostic ?? null,
        recipient: report?.recipient ?? null,
      },
      meta: { mailbox: mailbox.name, automated: automated.kind },
    };
  }

  const from = parsed.from;
  const attachments: InboundAttachment[] = parsed.attachments.map((a) => ({
    filename: a.filename,
    // The sender's word is kept only where the content cannot tell us better.
    contentType: detectFileType(a.content)?.mime ?? a.contentType,
    content: a.content,
  }));
  // Most recent first: In-Reply-To, then References from the newest back.
  const threadIds = [...new Set([...parsed.inReplyTo, ...[...parsed.references].reverse()])];
  return {
    ...base,
    from: {
      ...splitName(from?.name),
      address: from?.address,
      identifiers: from?.address ? [{ kind: 'email', value: from.address, provenance: 'channel' }] : [],
    },
    threadHints: { externalIds: threadIds, reference: findReference(mailbox.referencePrefix, subject) ?? undefined },
    institutionCode: mailbox.institutionCode ?? undefined,
    kind: 'question',
    language: parsed.language,
    subject: subject || undefined,
    text: parsed.newText || parsed.text || '',
    html: parsed.html ?? undefined,
    attachments,
    // Robots' mail (out-of-office, lists, system senders) may join a ticket but never opens one.
    threadOnly: automated.automated || undefined,
    autoReply:
      automated.automated || !from?.address
        ? { suppressed: automated.automated ? automated.reason : 'no sender address' }
        : { address: from.address },
    meta: {
      mailbox: mailbox.name,
      ...(automated.automated ? { automated: automated.kind } : {}),
      ...(parsed.references.length ? { references: parsed.references } : {}),
      ...(parsed.newText && parsed.text && parsed.newText !== parsed.text ? { fullText: parsed.text } : {}),
      ...(parsed.droppedAttachments.length ? { droppedAttachments: parsed.droppedAttachments } : {}),
      ...(parsed.cc.length ? { cc: parsed.cc.map((c) => c.address) } : {}),
    },
  };
}
