import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { ProblemException } from '../common/problem';
import { anonymiseTickets } from './erasure';
import { forgetCallRecordings } from './recording-deletions';
import { CALLS_OF_TICKETS } from './subject-data';

/** Rows per transaction: a stopped run leaves whole batches; bench/privacy.ts compares plain UPDATEs of this size. */
export const RETENTION_BATCH = 500;

/** Where a run's batches start: before every ticket and every customer. */
const FIRST = { closed: '-infinity', id: '00000000-0000-0000-0000-000000000000' };

const CLOSED = 'coalesce(t.closed_at, t.resolved_at)';
/**
 * Tickets whose content is past the longest period of every policy matching their kind and channel ($1: as of),
 * in closing order after the cursor ($2 closed, $3 id). Only a ticket closed before the shortest period ends can
 * be due, so the partial index ix_tickets_content_due is read from the oldest ticket up to there, and a run reads
 * it once through, each batch going on where the last one stopped, rather than sorting every ticket per batch.
 */
export const DUE_TICKETS = `
  SELECT t.id, ${CLOSED}::text AS closed FROM tickets t
  WHERE t.content_erased_at IS NULL AND ${CLOSED} IS NOT NULL
    AND ${CLOSED} <= $1::timestamptz - (SELECT min(keep_days) FROM retention_policies WHERE target = 'ticket_content') * interval '1 day'
    AND (${CLOSED}, t.id) > ($2::timestamptz, $3::uuid)
    AND ${CLOSED} + (SELECT max(p.keep_days) FROM retention_policies p WHERE p.target = 'ticket_content'
          AND (p.ticket_kind IS NULL OR p.ticket_kind = t.kind) AND (p.channel IS NULL OR p.channel = t.channel)) * interval '1 day' <= $1::timestamptz
    AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.ticket_id = t.id)
  ORDER BY ${CLOSED}, t.id`;

const RECORDING_KEEP = `(SELECT max(keep_days) FROM retention_policies WHERE target = 'call_recordings' AND (channel IS NULL OR channel = 'voice'))`;
const DUE_RECORDINGS = `
  SELECT call_sid FROM calls WHERE recording_url IS NOT NULL AND ${RECORDING_KEEP} IS NOT NULL
    AND coalesce(ended_at, started_at) + ${RECORDING_KEEP} * interval '1 day' <= $1::timestamptz`;

const AUDIT_KEEP = `(SELECT max(keep_days) FROM retention_policies WHERE target = 'audit_events')`;
const DUE_AUDIT = `SELECT id FROM audit_events WHERE ${AUDIT_KEEP} IS NOT NULL AND created_at + ${AUDIT_KEEP} * interval '1 day' <= $1::timestamptz`;

/**
 * Customer records with a name or identifier left whose every ticket is blanked (or is about to be: $1), in id
 * order after $2: a run goes through the records once, batch after batch.
 */
const DUE_CUSTOMERS = `
  SELECT c.id FROM customers c
  WHERE (c.first_name IS NOT NULL OR c.last_name IS NOT NULL OR EXISTS (SELECT 1 FROM customer_identifiers ci WHERE ci.customer_id = c.id))
    AND EXISTS (SELECT 1 FROM tickets t WHERE t.customer_id = c.id)
    AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.customer_id = c.id AND t.content_erased_at IS NULL AND NOT (t.id = ANY($1::uuid[])))
    AND c.id > $2::uuid
  ORDER BY c.id`;

export interface RetentionCounts {
  tickets: number;
  callRecordings: number;
  customers: number;
  auditEvents: number;
}

/**
 * Retention as data: what is past its period is anonymised (tickets stay, counted, as an erasure leaves them) in
 * batches, each its own transaction, so a run stopped in the middle leaves whole batches and the next run goes on.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  list() {
    return this.dataSource.query(
      `SELECT id, target, ticket_kind AS "ticketKind", channel, keep_days AS "keepDays", basis, updated_at AS "updatedAt"
       FROM retention_policies ORDER BY target, ticket_kind NULLS FIRST, channel NULLS FIRST`,
    );
  }

  async update(user: AuthUser, id: string, change: { keepDays?: number; basis?: string }) {
    return this.dataSource.transaction(async (m) => {
      const [rows]: [Array<Record<string, unknown>>, number] = await m.query(
        `UPDATE retention_policies SET keep_days = coalesce($2, keep_days), basis = coalesce($3, basis), updated_at = now() WHERE id = $1
         RETURNING id, target, ticket_kind AS "ticketKind", channel, keep_days AS "keepDays", basis, updated_at AS "updatedAt"`,
        [id, change.keepDays ?? null, change.basis ?? null],
      );
      if (!rows.length) throw new ProblemException(HttpStatus.NOT_FOUND, 'not_found', 'Not found', 'No such retention policy.');
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'retention_policy.updated',
            subjectType: 'retention_policy',
            subjectId: id,
            detail: { ...change },
          },
        ],
        m,
      );
      return rows[0];
    });
  }

  /** What a run as of `asOf` would touch. */
  async preview(asOf: Date): Promise<RetentionCounts & { asOf: Date }> {
    const due: Array<{ id: string }> = await this.dataSource.query(DUE_TICKETS, [asOf, FIRST.closed, FIRST.id]);
    const count = async (sql: string, params: unknown[]) =>
      (await this.dataSource.query(`SELECT count(*)::int AS n FROM (${sql}) x`, params))[0].n as number;
    return {
      asOf,
      tickets: due.length,
      callRecordings: await count(DUE_RECORDINGS, [asOf]),
      customers: await count(DUE_CUSTOMERS, [due.map((d) => d.id), FIRST.id]),
      auditEvents: await count(DUE_AUDIT, [asOf]),
    };
  }

  /**
   * One run. Only one runs at a time across workers: the run holds a PostgreSQL advisory lock on a connection of its
   * own (released if the worker dies, since the connection goes with it). Null when another run holds it.
   */
  async run(asOf = new Date()): Promise<RetentionCounts | null> {
    const lock = this.dataSource.createQueryRunner();
    await lock.connect();
    try {
      const [{ locked }] = await lock.query(`SELECT pg_try_advisory_lock(hashtext('vpppd.retention')) AS locked`);
      if (!locked) return null;
      try {
        const counts = await this.runLocked(asOf);
        await this.audit.record([
          { actorAgentId: null, action: 'retention.run', subjectType: 'retention', subjectId: asOf.toISOString(), detail: { ...counts } },
        ]);
        this.logger.log({ asOf, ...counts }, 'retention run done');
        return counts;
      } finally {
        await lock.query(`SELECT pg_advisory_unlock(hashtext('vpppd.retention'))`);
      }
    } finally {
      await lock.release();
    }
  }

  private async runLocked(asOf: Date): Promise<RetentionCounts> {
    const counts: RetentionCounts = { tickets: 0, callRecordings: 0, customers: 0, auditEvents: 0 };
    const batches = (work: (m: EntityManager) => Promise<number>) => this.inBatches(work);
    // Recordings first: blanking a ticket clears its calls' recordings too, and the preview counts them here.
    counts.callRecordings = await batches(async (m) => {
      const due: Array<{ call_sid: string }> = await m.query(`${DUE_RECORDINGS} LIMIT ${RETENTION_BATCH}`, [asOf]);
      return forgetCallRecordings(
        m,
        due.map((c) => c.call_sid),
      );
    });
    let ticketCursor = FIRST;
    counts.tickets = await batches(async (m) => {
      const due: Array<{ id: string; closed: string }> = await m.query(`${DUE_TICKETS} LIMIT ${RETENTION_BATCH}`, [
        asOf,
        ticketCursor.closed,
        ticketCursor.id,
      ]);
      if (due.length === 0) return 0;
      const ids = due.map((r) => r.id);
      const calls: Array<{ call_sid: string }> = await m.query(CALLS_OF_TICKETS, [ids]);
      await anonymiseTickets(
        m,
        ids,
        calls.map((c) => c.call_sid),
      );
      ticketCursor = due[due.length - 1];
      return ids.length;
    });
    let customerCursor = FIRST.id;
    counts.customers = await batches(async (m) => {
      const ids = (await m.query(`${DUE_CUSTOMERS} LIMIT ${RETENTION_BATCH}`, [[], customerCursor])).map((r: { id: string }) => r.id);
      if (ids.length === 0) return 0;
      customerCursor = ids[ids.length - 1];
      await m.query(`DELETE FROM customer_identifiers WHERE customer_id = ANY($1::uuid[])`, [ids]);
      await m.query(`UPDATE customers SET first_name = NULL, last_name = NULL WHERE id = ANY($1::uuid[])`, [ids]);
      return ids.length;
    });
    counts.auditEvents = await batches(async (m) => {
      // The one path by which audit events leave: the trigger allows a delete only with this setting.
      await m.query(`SET LOCAL vpppd.audit_retention = 'on'`);
      const [, n]: [unknown, number] = await m.query(`DELETE FROM audit_events WHERE id IN (${DUE_AUDIT} LIMIT ${RETENTION_BATCH})`, [
        asOf,
      ]);
      return n;
    });
    return counts;
  }

  private async inBatches(work: (m: EntityManager) => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.dataSource.transaction(work);
      total += n;
      if (n < RETENTION_BATCH) return total;
    }
  }
}
