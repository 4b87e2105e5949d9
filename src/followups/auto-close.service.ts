import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { autoCloseDue, candidateBound, closingNotice } from '@lib/follow-ups';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CalendarService } from '../calendar/calendar.service';
import { AppConfig } from '../config/app-config';
import { returnedRows } from '../database/rows';
import { MessagesRepository } from '../tickets/repositories/messages.repository';
import { TicketsRepository } from '../tickets/repositories/tickets.repository';
import { TicketChanges } from '../tickets/ticket-changes.service';
import { contactAddress } from '../tickets/ticket-contacts';
import { TicketEffectsPublisher } from '../tickets/ticket-effects.publisher';

/** The channel a ticket's customer is answered on (web forms by e-mail); other channels fall back to an e-mail they gave. */
const NOTICE_CHANNEL: Record<string, string> = { email: 'email', webform: 'email', social: 'social', chat: 'chat' };
/** A notice the outbound queue has not settled within this is not waited for any longer: the ticket never stays open forever. */
const NOTICE_WAIT_MS = 24 * 3_600_000;
const BATCH = 200;

export interface AutoCloseCounts {
  noticed: number;
  closed: number;
  cancelled: number;
}

/**
 * Tickets left pending the customer for the policy's working days are closed, the citizen told first. Two steps,
 * each its own transaction and each safe to repeat:
 * 1. the notice: a row in auto_close_notices (one per stretch of waiting, its key the ticket and the time the wait
 *    began) and the message, queued for the outbound queue, in one transaction — so a crash sends it once or not at all;
 * 2. the close, once that message has left the queue (sent, or failed for good) or waited a day: the ticket closes
 *    through TicketChanges (history, audit, webhook). A ticket no longer waiting on the customer by then (they
 *    wrote, someone acted) is left open and the notice is marked cancelled.
 */
@Injectable()
export class AutoCloseService {
  private readonly logger = new Logger(AutoCloseService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly effects: TicketEffectsPublisher,
    private readonly tickets: TicketsRepository,
    private readonly messages: MessagesRepository,
    private readonly changes: TicketChanges,
    private readonly calendars: CalendarService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /** One pass as of `asOf` (tests move it; the job passes now). */
  async run(asOf = new Date()): Promise<AutoCloseCounts> {
    const noticed = await this.sendNotices(asOf);
    const { closed, cancelled } = await this.closeNoticed(asOf);
    if (noticed + closed + cancelled > 0) this.logger.log({ noticed, closed, cancelled }, 'auto-close pass');
    return { noticed, closed, cancelled };
  }

  /** Step 1 alone: the closing notice for every ticket newly due as of `asOf`. */
  async sendNotices(asOf = new Date()): Promise<number> {
    const policies: Array<{ institution_id: string | null; enabled: boolean; working_days: number }> = await this.dataSource.query(
      'SELECT institution_id, enabled, working_days FROM auto_close_policies',
    );
    const enabled = policies.filter((p) => p.enabled);
    if (enabled.length === 0) return 0;
    const byInstitution = new Map(policies.map((p) => [p.institution_id, p]));
    const fallback = byInstitution.get(null);
    const minDays = Math.min(...enabled.map((p) => p.working_days));
    const calendar = await this.calendars.calendar();
    let noticed = 0;
    // Paged oldest first by (pending since, id), to the end: tickets not yet due under a longer policy never hide
    // due ones behind them.
    let after: { since: Date; id: string } | null = null;
    for (;;) {
      const params: unknown[] = [candidateBound(asOf, minDays)];
      const page: Array<{ id: string; institution_id: string | null; pending_customer_since: Date }> = await this.dataSource.query(
        `SELECT t.id, t.institution_id, t.pending_customer_since FROM tickets t
         WHERE t.status = 'pending_customer' AND t.pending_customer_since <= $1
           ${after ? `AND (t.pending_customer_since, t.id) > ($${params.push(after.since)}::timestamptz, $${params.push(after.id)}::uuid)` : ''}
           AND NOT EXISTS (SELECT 1 FROM auto_close_notices n WHERE n.ticket_id = t.id AND n.pending_since = t.pending_customer_since)
         ORDER BY t.pending_customer_since, t.id LIMIT ${BATCH}`,
        params,
      );
      for (const c of page) {
        const policy = (c.institution_id ? byInstitution.get(c.institution_id) : undefined) ?? fallback;
        if (!policy?.enabled || !autoCloseDue(calendar, c.pending_customer_since, asOf, policy.working_days)) continue;
        if (await this.notice(c.id, c.pending_customer_since, policy.working_days)) noticed++;
      }
      if (page.length < BATCH) break;
      const last = page[page.length - 1];
      // A page that ends where the last one did would repeat for ever (a time finer than JavaScript's milliseconds).
      if (after && after.id === last.id && after.since.getTime() === last.pending_customer_since.getTime()) break;
      after = { since: last.pending_customer_since, id: last.id };
    }
    return noticed;
  }

  /** Step 1 for one ticket; false when another worker did it first or the ticket changed meanwhile. */
  private async notice(ticketId: string, pendingSince: Date, workingDays: number): Promise<boolean> {
    return this.effects.transaction(async (m, fx) => {
      const [ticket] = await this.tickets.lock(m, [ticketId]);
      const [state]: Array<{ language: string; pending_customer_since: Date | null }> = await m.query(
        'SELECT language, pending_customer_since FROM tickets WHERE id = $1',
        [ticketId],
      );
      if (!ticket || ticket.status !== 'pending_customer' || state.pending_customer_since?.getTime() !== pendingSince.getTime())
        return false;
      const claimed = await m.query(
        `INSERT INTO auto_close_notices (ticket_id, pending_since) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING ticket_id`,
        [ticketId, pendingSince],
      );
      if (claimed.length === 0) return false;
      const messageId = await this.planMessage(
        m,
        { id: ticket.id, reference: ticket.reference, channel: ticket.channel, language: state.language },
        workingDays,
      );
      if (messageId) {
        await m.query('UPDATE auto_close_notices SET message_id = $3 WHERE ticket_id = $1 AND pending_since = $2', [
          ticketId,
          pendingSince,
          messageId,
        ]);
        fx.outbound([messageId]);
        fx.ticketsChanged([ticket.id]);
      }
      await this.audit.record(
        [
          {
            actorAgentId: null,
            action: 'ticket.auto_close_noticed',
            subjectType: 'ticket',
            subjectId: ticket.id,
            detail: { reference: ticket.reference, workingDays, pendingSince, messageId },
          },
        ],
        m,
      );
      return true;
    });
  }

  /** The last message, on the ticket's own channel, in the customer's language; null when there is nowhere to send it. */
  private async planMessage(
    m: EntityManager,
    t: { id: string; reference: string; channel: string; language: string },
    workingDays: number,
  ): Promise<string | null> {
    let channel = NOTICE_CHANNEL[t.channel] ?? 'email';
    let address = await contactAddress(m, t.id, channel);
    if (!address && channel !== 'email') address = await contactAddress(m, t.id, (channel = 'email'));
    if (!address) return null;
    const copy = closingNotice(t.language, t.reference, workingDays);
    const domain = /@([A-Za-z0-9.-]+)/.exec(this.config.MAIL_FROM ?? '')?.[1] ?? 'vpppd.invalid';
    return this.messages.addAutomatic(m, t.id, {
      channel,
      externalId: channel === 'email' ? `${randomUUID()}@${domain}` : null,
      subject: channel === 'email' ? copy.subject : null,
      text: copy.text,
      address,
      meta: { kind: 'auto_close' },
    });
  }

  /** Step 2 alone: the follow-up sweep runs it often, so a ticket closes soon after its notice has gone. */
  async closeNoticed(asOf = new Date()): Promise<{ closed: number; cancelled: number }> {
    const notices: Array<{ ticket_id: string; pending_since: Date }> = await this.dataSource.query(
      `SELECT n.ticket_id, n.pending_since FROM auto_close_notices n LEFT JOIN messages ms ON ms.id = n.message_id
       WHERE n.closed_at IS NULL AND n.cancelled_at IS NULL
         AND (n.message_id IS NULL OR ms.delivery_status IS DISTINCT FROM 'queued' OR n.created_at <= $1)
       ORDER BY n.created_at LIMIT ${BATCH}`,
      [new Date(asOf.getTime() - NOTICE_WAIT_MS)],
    );
    let closed = 0;
    let cancelled = 0;
    for (const n of notices) {
      const outcome = await this.effects.transaction(async (m, fx) => {
        const [ticket] = await this.tickets.lock(m, [n.ticket_id]);
        const [state]: Array<{ pending_customer_since: Date | null }> = await m.query(
          'SELECT pending_customer_since FROM tickets WHERE id = $1',
          [n.ticket_id],
        );
        const stillWaiting = ticket?.status === 'pending_customer' && state.pending_customer_since?.getTime() === n.pending_since.getTime();
        const marked = returnedRows(
          await m.query(
            `UPDATE auto_close_notices SET ${stillWaiting ? 'closed_at' : 'cancelled_at'} = now()
           WHERE ticket_id = $1 AND pending_since = $2 AND closed_at IS NULL AND cancelled_at IS NULL RETURNING ticket_id`,
            [n.ticket_id, n.pending_since],
          ),
        );
        if (marked.length === 0) return 'none';
        if (!stillWaiting) return 'cancelled';
        await this.changes.update(m, fx, ticket, { status: 'closed' }, { agentId: null, cause: 'auto-close' });
        return 'closed';
      });
      if (outcome === 'closed') closed++;
      if (outcome === 'cancelled') cancelled++;
    }
    return { closed, cancelled };
  }
}
