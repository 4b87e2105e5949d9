export {
  parseEmail,
  syntheticMessageId,
  DEFAULT_MAX_ATTACHMENT_BYTES,
  DEFAULT_MAX_ATTACHMENTS,
  MAX_HTML_TO_TEXT_CHARS,
} from './parse-email';
export type {
  ParsedEmail,
  ParseEmailOptions,
  EmailAddressEntry,
  EmailAttachment,
  DroppedAttachment,
  DroppedAttachmentReason,
  EmailHeaders,
  ReportPart,
} from './parse-email';
export { classifyAutomated, isSystemAddress } from './classify-automated';
export type { AutomatedClassification, AutomatedKind } from './classify-automated';
export { parseDeliveryReport } from './delivery-report';
export type { DeliveryReport, DeliveryAction, RecipientReport } from './delivery-report';
export { sanitizeEmailHtml, LINK_REL } from './sanitize-email-html';
export { splitQuotedReply } from './split-quoted-reply';
export type { SplitReply } from './split-quoted-reply';
export { detectLanguage } from './detect-language';
export type { GuessedLanguage } from './detect-language';
export { normalizeMessageId, formatMessageIdHeader, parseMessageIdList } from './message-id';
export { buildReplySubject } from './reply-subject';
