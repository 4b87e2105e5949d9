import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { CHAT_SESSION_KEY_PARTS, chatSessionKey } from '../channels/chat/chat-session';
import { socialMediaJobId } from '../channels/social/social-media';
import { redisOf } from '../common/redis';
import { AppConfig } from '../config/app-config';
import { inboundJobId } from '../inbound/inbound.service';
import { QueueName } from '../queues';
import { eraseInDatabase, ErasurePlan, planErasure } from './erasure';
import { buildSubjectArchive } from './subject-access';
import { findSubject } from './subject-finder';
import type { SubjectIdentifier } from './subject-identifiers';

interface RequestRow {
  id: string;
  kind: 'access' | 'erasure';
  identifiers: SubjectIdentifier[] | null;
  status: string;
  step: string | null;
  working: (ErasurePlan & { redis?: Record<string, number> }) | null;
  created_at: Date;
}

/** An erasure's steps in order; each commits on its own and may run again (a restarted job repeats the last). */
export const ERASURE_STEPS = ['planned', 'redis', 'erased'] as const;
const PROGRESS: Record<string, number> = { planned: 30, redis: 60, erased: 100, archived: 100 };

/**
 * Runs a subject request one committed step at a time, recording the step on the request in the same transaction
 * as its work: a worker killed in the middle leaves the request at its last committed step, and the job, taken again
 * after the restart, goes on from there.
 */
@Injectable()
export class SubjectRequestRunner {
  private readonly logger = new Logger(SubjectRequestRunner.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    @InjectQueue(QueueName.SubjectRequests) private readonly queue: Queue,
    @InjectQueue(QueueName.Inbound) private readonly inbound: Queue,
    @InjectQueue(QueueName.SocialMedia) private readonly media: Queue,
  ) {}

  /** Runs the request to its end; `progress` hears each committed step's percentage. */
  async run(id: string, progress: (percent: number) => Promise<void> = async () => undefined): Promise<void> {
    for (let more = true; more;) {
      const step = await this.advance(id);
      more = step !== null;
      if (step) await progress(PROGRESS[step] ?? 0);
    }
  }

  /** Runs the next step of the request and returns its name, or null when the request has nothing left to do. */
  async advance(id: string): Promise<string | null> {
    const [request]: RequestRow[] = await this.dataSource.query(
      `SELECT id, kind, identifiers, status, step, working, created_at FROM subject_requests WHERE id = $1`,
      [id],
    );
    if (!request || request.status === 'done' || request.status === 'failed') return null;
    if (request.status === 'queued')
      await this.dataSource.query(`UPDATE subject_requests SET status = 'running', started_at = now() WHERE id = $1`, [id]);
    if (request.kind === 'access') return this.archive(request);
    const next =
      request.step === null ? 'planned' : ERASURE_STEPS[ERASURE_STEPS.indexOf(request.step as (typeof ERASURE_STEPS)[number]) + 1];
    if (next === 'planned') await this.plan(request);
    else if (next === 'redis') await this.eraseInRedis(request);
    else await this.erase(request);
    return next;
  }

  private async archive(request: RequestRow): Promise<string> {
    const redis = await redisOf(this.queue);
    await this.dataSource.transaction(async (m) => {
      const found = await findSubject(m, request.identifiers ?? []);
      const archive = await buildSubjectArchive(m, redis, this.config.REDIS_PREFIX, found, {
        id: request.id,
        createdAt: request.created_at,
      });
      const references: Array<{ reference: string }> = await m.query(
        `SELECT reference FROM tickets WHERE id = ANY($1::uuid[]) ORDER BY reference`,
        [found.ticketIds],
      );
      const result = {
        found: archive.found,
        tickets: references.map((r) => r.reference),
        archive: { bytes: archive.zip.length, sha256: archive.sha256 },
      };
      await m.query(
        `UPDATE subject_requests SET status = 'done', step = 'archived', progress = 100, archive = $2, archive_sha256 = $3, result = $4::jsonb, finished_at = now() WHERE id = $1`,
        [request.id, archive.zip, archive.sha256, JSON.stringify(result)],
      );
      await this.audit.record(
        [
          {
            actorAgentId: null,
            action: 'privacy.access_archive_built',
            subjectType: 'subject_request',
            subjectId: request.id,
            detail: { tickets: found.ticketIds.length, bytes: archive.zip.length },
          },
        ],
        m,
      );
    });
    return 'archived';
  }

  private async plan(request: RequestRow): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const given = (request.identifiers ?? []).map((i) => i.value);
      const plan = await planErasure(m, await findSubject(m, request.identifiers ?? []), given);
      await m.query(`UPDATE subject_requests SET step = 'planned', progress = $2, working = $3::jsonb WHERE id = $1`, [
        request.id,
        PROGRESS.planned,
        JSON.stringify(plan),
      ]);
    });
  }

  /** Chat sessions (with their transcripts) and the queue jobs that still carry the person's messages. */
  private async eraseInRedis(request: RequestRow): Promise<void> {
    const plan = request.working!;
    const redis = await redisOf(this.queue);
    const keys = plan.chatSessions.flatMap((id) =>
      CHAT_SESSION_KEY_PARTS.map((part) => chatSessionKey(this.config.REDIS_PREFIX, id, part)),
    );
    let chatKeys = 0;
    for (const key of keys) chatKeys += await redis.del(key);
    let jobs = 0;
    for (const e of plan.events) {
      jobs += await this.inbound.remove(inboundJobId(e.channel, e.externalId));
      if (e.channel === 'social') jobs += await this.media.remove(socialMediaJobId(e.id));
    }
    const working = { ...plan, redis: { chatKeys, queueJobs: jobs } };
    await this.dataSource.query(`UPDATE subject_requests SET step = 'redis', progress = $2, working = $3::jsonb WHERE id = $1`, [
      request.id,
      PROGRESS.redis,
      JSON.stringify(working),
    ]);
  }

  private async erase(request: RequestRow): Promise<void> {
    const plan = request.working!;
    await this.dataSource.transaction(async (m) => {
      const changed = await eraseInDatabase(m, plan);
      const references: Array<{ reference: string }> = await m.query(
        `SELECT reference FROM tickets WHERE id = ANY($1::uuid[]) ORDER BY reference`,
        [plan.eraseTicketIds],
      );
      const result = {
        found: { customers: plan.eraseCustomerIds.length, tickets: plan.eraseTicketIds.length + plan.held.length },
        erased: references.map((r) => r.reference),
        kept: plan.held.map((h) => ({ reference: h.reference, reason: 'legal_hold', detail: h.reason })),
        changed: { ...changed, ...plan.redis },
      };
      // The request forgets whom it was about: what remains says what was done, not to whom.
      await m.query(
        `UPDATE subject_requests SET status = 'done', step = 'erased', progress = 100, identifiers = NULL, working = NULL, result = $2::jsonb, finished_at = now() WHERE id = $1`,
        [request.id, JSON.stringify(result)],
      );
      await this.audit.record(
        [
          {
            actorAgentId: null,
            action: 'privacy.erasure_done',
            subjectType: 'subject_request',
            subjectId: request.id,
            detail: { erased: plan.eraseTicketIds.length, kept: plan.held.length },
          },
        ],
        m,
      );
    });
    this.logger.log({ request: request.id, tickets: plan.eraseTicketIds.length, kept: plan.held.length }, 'erasure done');
  }

  /** The job ran out of attempts: the request says so (its error never holds the person's data, only the failure). */
  async fail(id: string, error: Error): Promise<void> {
    await this.dataSource.query(
      `UPDATE subject_requests SET status = 'failed', error = $2, finished_at = now() WHERE id = $1 AND status <> 'done'`,
      [id, error.message.slice(0, 500)],
    );
  }
}
