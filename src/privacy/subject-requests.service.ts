import { InjectQueue } from '@nestjs/bullmq';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthUser } from '../auth/auth-user';
import { FieldError, ProblemException, validationProblem } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { JobName, QueueName } from '../queues';
import { signDownloadToken, verifyDownloadToken } from './download-token';
import type { CreateSubjectRequestDto } from './dto/subject-request.dto';
import { normalizeSubjectIdentifier, SubjectIdentifier } from './subject-identifiers';

/** A download link is meant to be used at once, by the DPO who asked for it. */
export const DOWNLOAD_LINK_TTL_SECONDS = 15 * 60;

export const SUBJECT_REQUEST_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 30 * 24 * 3600 },
};
export const subjectRequestJobId = (requestId: string) => `subject-request-${requestId}`;

export interface RequestContext {
  ip?: string | null;
  requestId?: string | null;
}

/** Subject requests as the DPO makes and reads them; the work itself is the `subject-requests` queue's. */
@Injectable()
export class SubjectRequestsService {
  private readonly logger = new Logger(SubjectRequestsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    @InjectQueue(QueueName.SubjectRequests) private readonly queue: Queue,
  ) {}

  async create(user: AuthUser, dto: CreateSubjectRequestDto, context: RequestContext): Promise<{ id: string }> {
    const errors: FieldError[] = [];
    const identifiers: SubjectIdentifier[] = [];
    [dto.identifier, ...(dto.otherIdentifiers ?? [])].forEach((given, i) => {
      const value = normalizeSubjectIdentifier(given.kind, given.value);
      const field = i === 0 ? 'identifier.value' : `otherIdentifiers[${i - 1}].value`;
      if (value === null) errors.push({ field, code: 'invalid', message: `not a valid ${given.kind}` });
      else if (!identifiers.some((x) => x.kind === given.kind && x.value === value)) identifiers.push({ kind: given.kind, value });
    });
    if (errors.length) throw validationProblem(errors);
    const id = await this.dataSource.transaction(async (m) => {
      const [row]: Array<{ id: string }> = await m.query(
        `INSERT INTO subject_requests (kind, identifier_kind, identifiers, reason, requested_by_id) VALUES ($1, $2, $3::jsonb, $4, $5) RETURNING id`,
        [dto.kind, dto.identifier.kind, JSON.stringify(identifiers), dto.reason, user.id],
      );
      // The audit trail names the request, never the identifiers: it must not outlive an erasure.
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'privacy.subject_request_created',
            subjectType: 'subject_request',
            subjectId: row.id,
            detail: { kind: dto.kind, identifierKinds: identifiers.map((x) => x.kind) },
            ...context,
          },
        ],
        m,
      );
      return row.id;
    });
    await this.enqueue([id]);
    return { id };
  }

  /** Puts the requests on the queue; a request whose job already exists is left as it is (same job id). */
  async enqueue(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      await this.queue.addBulk(
        ids.map((requestId) => ({
          name: JobName.SubjectRequest,
          data: { requestId },
          opts: { ...SUBJECT_REQUEST_JOB_OPTIONS, jobId: subjectRequestJobId(requestId) },
        })),
      );
    } catch (error) {
      // The request is stored as queued; a worker starting enqueues every unfinished request again.
      this.logger.warn({ err: error, requests: ids }, 'could not enqueue subject requests');
    }
  }

  async get(id: string): Promise<Record<string, unknown>> {
    const [row] = await this.dataSource.query(
      `SELECT id, kind, identifier_kind AS "identifierKind", reason, status, step, progress, result, error, requested_by_id AS "requestedBy",
              created_at AS "createdAt", started_at AS "startedAt", finished_at AS "finishedAt", archive IS NOT NULL AS "hasArchive", archive_sha256 AS "archiveSha256"
       FROM subject_requests WHERE id = $1`,
      [id],
    );
    if (!row) throw new ProblemException(HttpStatus.NOT_FOUND, 'not_found', 'Not found', 'No such subject request.');
    const { hasArchive, archiveSha256, ...rest } = row;
    return { ...rest, archive: hasArchive ? { sha256: archiveSha256 } : null };
  }

  async createDownloadLink(user: AuthUser, id: string, context: RequestContext): Promise<{ url: string; expiresAt: Date }> {
    return this.dataSource.transaction(async (m) => {
      const [row] = await m.query(
        `SELECT kind, status, archive IS NOT NULL AS "hasArchive" FROM subject_requests WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!row) throw new ProblemException(HttpStatus.NOT_FOUND, 'not_found', 'Not found', 'No such subject request.');
      if (row.kind !== 'access')
        throw new ProblemException(HttpStatus.CONFLICT, 'no_archive', 'No archive', 'Only an access request has an archive.');
      if (row.status !== 'done')
        throw new ProblemException(HttpStatus.CONFLICT, 'archive_not_ready', 'Archive not ready', `The request is ${row.status}.`);
      if (!row.hasArchive)
        throw new ProblemException(HttpStatus.GONE, 'archive_gone', 'Archive gone', 'The person was erased since; the archive with them.');
      const [link]: Array<{ id: string; expires_at: Date }> = await m.query(
        `INSERT INTO subject_request_downloads (request_id, created_by_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING id, expires_at`,
        [id, user.id, DOWNLOAD_LINK_TTL_SECONDS],
      );
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'privacy.download_link_created',
            subjectType: 'subject_request',
            subjectId: id,
            detail: { download: link.id, expiresAt: link.expires_at },
            ...context,
          },
        ],
        m,
      );
      return { url: `/v1/privacy/downloads/${signDownloadToken(this.config.JWT_SECRET, link.id)}`, expiresAt: link.expires_at };
    });
  }

  /**
   * The archive behind a link, once: the link is spent in the same transaction that reads the archive and records
   * the download, so two clicks at once give one archive and one 410.
   */
  async download(token: string, context: RequestContext): Promise<{ requestId: string; zip: Buffer }> {
    const downloadId = verifyDownloadToken(this.config.JWT_SECRET, token);
    if (!downloadId)
      throw new ProblemException(
        HttpStatus.NOT_FOUND,
        'download_link_invalid',
        'Not found',
        'This is not a download link this service gave out.',
      );
    return this.dataSource.transaction(async (m) => {
      const [spent]: [Array<{ request_id: string; created_by_id: string }>, number] = await m.query(
        `UPDATE subject_request_downloads SET consumed_at = now() WHERE id = $1 AND consumed_at IS NULL AND expires_at > now() RETURNING request_id, created_by_id`,
        [downloadId],
      );
      if (!spent.length)
        throw new ProblemException(
          HttpStatus.GONE,
          'download_link_spent',
          'Link used or expired',
          'A download link works once, for a short time: ask for a new one.',
        );
      const [{ request_id: requestId, created_by_id: actor }] = spent;
      const [row]: Array<{ archive: Buffer | null }> = await m.query(`SELECT archive FROM subject_requests WHERE id = $1`, [requestId]);
      if (!row?.archive)
        throw new ProblemException(HttpStatus.GONE, 'archive_gone', 'Archive gone', 'The person was erased since; the archive with them.');
      await this.audit.record(
        [
          {
            actorAgentId: actor,
            action: 'privacy.archive_downloaded',
            subjectType: 'subject_request',
            subjectId: requestId,
            detail: { download: downloadId, bytes: row.archive.length },
            ...context,
          },
        ],
        m,
      );
      return { requestId, zip: row.archive };
    });
  }
}
