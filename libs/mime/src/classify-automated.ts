import type { ParsedEmail } from './parse-email';

/**
 * - delivery-report: a delivery status notification (bounce, delay) about a mail we sent;
 * - auto-reply: written by a program in answer to a mail (out of office, vacation, autoresponder, read receipt);
 * - bulk: Precedence bulk or junk (mass mailing);
 * - list: a mailing list (Precedence list, List-Id, List-Unsubscribe);
 * - system-sender: sent by a machine rather than a person (MAILER-DAEMON, postmaster, no-reply, the null
 *   sender "<>", Auto-Submitted: auto-generated).
 */
export type AutomatedKind = 'none' | 'auto-reply' | 'bulk' | 'list' | 'system-sender' | 'delivery-report';

export interface AutomatedClassification {
  automated: boolean;
  kind: AutomatedKind;
  /** Which header or part decided, for the log and the ticket history. */
  reason: string;
}

const SUPPRESSING_VALUES = new Set(['all', 'oof', 'autoreply']);
const STATUS_PART_TYPES = ['message/delivery-status', 'message/global-delivery-status'];

/**
 * Local parts of system mailboxes, compared without separators and case, so that no-reply, no_reply,
 * No.Reply and noreply+bounces are one. no-reply and do-not-reply are prefixes: "noreply-lvportals",
 * "donotreply.vid" are common.
 */
const SYSTEM_LOCAL_PARTS = ['mailerdaemon', 'postmaster'];
const SYSTEM_LOCAL_PREFIXES = ['noreply', 'donotreply'];

/**
 * Tells whether a mail was sent by a program, following RFC 3834 and what mail systems do in practice. An
 * automated mail must never be acknowledged: two autoresponders answering each other never stop. Whether it
 * is stored (an out-of-office reply on a ticket is still worth seeing) is the caller's decision.
 *
 * The first matching rule decides the kind, from the most specific to the least: a delivery report, then
 * headers that say "automatic reply", then bulk and list markers, then a system sender address.
 */
export function classifyAutomated(parsed: ParsedEmail): AutomatedClassification {
  const { headers } = parsed;
  const contentType = headers.contentType;
  const reportType = contentType?.value === 'multipart/report' ? (contentType.params['report-type'] ?? '').toLowerCase() : '';
  const partTypes = parsed.reportParts.map((part) => part.contentType);

  if (reportType === 'delivery-status' || reportType === 'global-delivery-status') {
    return automated('delivery-report', `Content-Type: multipart/report; report-type=${reportType}`);
  }
  const statusPart = partTypes.find((type) => STATUS_PART_TYPES.includes(type));
  if (statusPart) return automated('delivery-report', `${statusPart} part`);
  if (reportType === 'disposition-notification' || partTypes.includes('message/disposition-notification')) {
    return automated('auto-reply', 'read receipt (message/disposition-notification, RFC 8098)');
  }

  const autoSubmitted = firstToken(headers.autoSubmitted);
  if (autoSubmitted !== null && autoSubmitted !== 'no') {
    const kind = autoSubmitted === 'auto-replied' ? 'auto-reply' : 'system-sender';
    return automated(kind, `Auto-Submitted: ${headers.autoSubmitted}`);
  }
  if (headers.xAutoreply) return automated('auto-reply', 'X-Autoreply header');
  if (headers.xAutorespond) return automated('auto-reply', 'X-Autorespond header');

  const precedence = firstToken(headers.precedence);
  if (precedence === 'bulk' || precedence === 'junk') return automated('bulk', `Precedence: ${headers.precedence}`);
  if (precedence === 'list') return automated('list', `Precedence: ${headers.precedence}`);
  if (headers.listId !== null) return automated('list', `List-Id: ${headers.listId}`);
  if (headers.listUnsubscribe !== null) return automated('list', 'List-Unsubscribe header');

  // Exchange's way of saying "do not answer me automatically"; it marks its own out-of-office replies with it.
  const suppress = (headers.xAutoResponseSuppress ?? '')
    .split(/[\s,;]+/)
    .map((value) => value.toLowerCase())
    .filter((value) => SUPPRESSING_VALUES.has(value));
  if (suppress.length > 0) return automated('auto-reply', `X-Auto-Response-Suppress: ${headers.xAutoResponseSuppress}`);

  for (const [header, address] of [
    ['From', parsed.from?.address],
    ['Return-Path', headers.returnPath],
  ] as const) {
    if (address && isSystemAddress(address)) return automated('system-sender', `${header}: ${address}`);
  }
  // RFC 3834 §3.3: automatic responses and reports are sent with the null reverse-path.
  if (headers.returnPath === '') return automated('system-sender', 'Return-Path: <> (null sender)');

  return { automated: false, kind: 'none', reason: 'no sign of an automated sender' };
}

/** MAILER-DAEMON, postmaster, no-reply and its spellings, by the local part of the address. */
export function isSystemAddress(address: string): boolean {
  const at = address.lastIndexOf('@');
  const local = (at === -1 ? address : address.slice(0, at))
    .toLowerCase()
    .replace(/\+.*$/, '')
    .replace(/[-_.\s]/g, '');
  return SYSTEM_LOCAL_PARTS.includes(local) || SYSTEM_LOCAL_PREFIXES.some((prefix) => local.startsWith(prefix));
}

function automated(kind: Exclude<AutomatedKind, 'none'>, reason: string): AutomatedClassification {
  return { automated: true, kind, reason };
}

/** "auto-replied (vacation)" → "auto-replied": RFC 3834 allows comments and parameters after the keyword. */
function firstToken(value: string | null): string | null {
  if (value === null) return null;
  const token = value
    .trim()
    .split(/[\s;(]/, 1)[0]
    .toLowerCase();
  return token === '' ? null : token;
}
