/** The shapes of the API's tickets that the console reads (GET /v1/tickets and GET /v1/tickets/{reference}). */
export interface TicketSla {
  state: 'ok' | 'warning' | 'breached' | 'met' | 'paused' | 'none' | null;
  policy: string | null;
  dueAt: string | null;
}

export interface TicketItem {
  id: string;
  reference: string;
  channel: string;
  kind: string;
  status: string;
  level: number;
  priority: string;
  subject: string | null;
  institution: string | null;
  queue: string | null;
  assigneeId: string | null;
  assignee: { id: string; displayName: string } | null;
  customer: { id: string; firstName: string | null; lastName: string | null } | null;
  createdAt: string;
  updatedAt: string;
  sla: TicketSla;
  /** Set while the ticket is snoozed (out of the default inbox until the time or the customer's reply). */
  snooze?: { since: string; until: string | null; untilReply: boolean; note: string | null } | null;
  /** Present when the list is a search: where the ticket matched, with the matching words as offsets. */
  match?: { field: string; snippet: { text: string; highlights: Array<[number, number]> } | null };
}

export interface TicketPage {
  items: TicketItem[];
  nextCursor: string | null;
}

export interface Attachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
}

export interface Message {
  id: string;
  channel: string;
  direction: 'inbound' | 'outbound';
  author: string;
  authorAgentId: string | null;
  subject: string | null;
  text: string | null;
  html: string | null;
  internal: boolean;
  deliveryStatus: string | null;
  createdAt: string;
  attachments: Attachment[];
}

export interface TimelineEntry {
  at: string;
  type: string;
  messageId?: string;
  actorAgentId?: string | null;
  fromLevel?: number;
  toLevel?: number;
  toQueue?: string | null;
  reason?: string | null;
  comment?: string | null;
  summary?: string | null;
  metric?: string;
  [key: string]: unknown;
}

/** portal: verified by Latvija.lv; staff: typed by staff; channel: the contact came from it; citizen: given, not verified. */
export type Provenance = 'portal' | 'staff' | 'channel' | 'citizen';

export interface Identifier {
  kind: string;
  value: string;
  /** A personas kods the API masked for this person (shown as it comes). */
  masked: boolean;
  provenance: Provenance;
}

export interface TicketDetail extends TicketItem {
  topic: string | null;
  /** The identifiers this ticket's own contacts came with; replies go there. */
  contact: Identifier[];
  customer: (TicketItem['customer'] & { identifiers: Identifier[] }) | null;
  messages: Message[];
  timeline: TimelineEntry[];
  agents: Array<{ id: string; displayName: string }>;
}

export interface Institution {
  code: string;
  nameLv: string;
  nameEn: string;
  acceptsCases: boolean;
}

export const STATUSES = ['new', 'bot', 'queued', 'assigned', 'pending_customer', 'pending_institution', 'resolved', 'closed'] as const;
export const CHANNELS = ['webform', 'email', 'voice', 'chat', 'social', 'counter', 'phone'] as const;
/** What a person may set by PATCH /v1/tickets/{reference} (new, bot and assigned follow from the work itself). */
export const SETTABLE_STATUSES = ['queued', 'pending_customer', 'pending_institution', 'resolved', 'closed'] as const;
export const KINDS = ['application', 'consultation', 'complaint', 'suggestion', 'question'] as const;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const PROVENANCES = ['portal', 'staff', 'channel', 'citizen'] as const;
export const SLA_STATES = ['ok', 'warning', 'breached', 'met', 'paused'] as const;

/** The API's sla_due order: the earliest due time first, tickets without a running clock after, then by id. */
export function bySlaDue(a: TicketItem, b: TicketItem): number {
  const da = a.sla.dueAt ? Date.parse(a.sla.dueAt) : Infinity;
  const db = b.sla.dueAt ? Date.parse(b.sla.dueAt) : Infinity;
  if (da !== db) return da < db ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function customerName(c: TicketItem['customer']): string | null {
  const name = [c?.firstName, c?.lastName].filter(Boolean).join(' ');
  return name || null;
}
