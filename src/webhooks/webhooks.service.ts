import { InjectQueue } from '@nestjs/bullmq';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { AddressPolicy, targetProblem } from '@lib/network-guard';
import { FieldError, ProblemException, validationProblem } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { SecretCipher } from '../secrets/secret-cipher';
import { returnedRows } from '../database/rows';
import { JobName, QueueName } from '../queues';
import type { WebhookEvent } from './entities/webhook-subscription.entity';

export const WEBHOOK_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
};

/**
 * Institutions' own systems hear about their tickets: a delivery row is written in the same transaction as the
 * change it reports (so a committed change is never silently unreported), then the `webhooks` queue posts it.
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);

  private readonly policy: AddressPolicy;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.Webhooks) private readonly queue: Queue<{ deliveryId: string }>,
    config: AppConfig,
    private readonly cipher: SecretCipher,
  ) {
    this.policy = new AddressPolicy(config.WEBHOOK_ALLOWED_NETWORKS);
  }

  /** Inside the caller's transaction: one delivery per active subscription of the institution for the event. */
  async record(m: EntityManager, event: WebhookEvent, institutionId: string | null, payload: Record<string, unknown>): Promise<string[]> {
    if (!institutionId) return [];
    const rows: Array<{ id: string }> = await m.query(
      `INSERT INTO webhook_deliveries (subscription_id, event, payload)
       SELECT id, $2::varchar, $3::jsonb FROM webhook_subscriptions WHERE institution_id = $1 AND active AND $2::text = ANY(events)
       RETURNING id`,
      [institutionId, event, JSON.stringify({ event, ...payload, occurredAt: new Date().toISOString() })],
    );
    return rows.map((r) => r.id);
  }

  /** After commit. If Redis is away the rows stay queued and the worker's sweep sends them. */
  async enqueue(deliveryIds: string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.queue
      .addBulk(
        deliveryIds.map((deliveryId) => ({
          name: JobName.DeliverWebhook,
          data: { deliveryId },
          opts: { ...WEBHOOK_JOB_OPTIONS, jobId: `webhook-${deliveryId}` },
        })),
      )
      .catch((error) => this.logger.warn({ err: error }, 'could not enqueue webhook deliveries; the sweep will'));
  }

  async requeueStuck(olderThanMs: number): Promise<void> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM webhook_deliveries WHERE status = 'queued' AND created_at < now() - make_interval(secs => $1) LIMIT 5000`,
      [olderThanMs / 1000],
    );
    await this.enqueue(rows.map((r) => r.id));
  }

  async subscribe(input: { institution: string; url: string; secret: string; events: WebhookEvent[] }) {
    const [institution] = await this.dataSource.query('SELECT id FROM institutions WHERE code = $1', [input.institution.toUpperCase()]);
    const errors: FieldError[] = [];
    if (!institution) errors.push({ field: 'institution', code: 'unknown', message: `no institution has the code ${input.institution}` });
    const target = await this.targetProblem(input.url);
    if (target) errors.push(target);
    if (errors.length) throw validationProblem(errors);
    const [row] = await this.dataSource.query(
      `INSERT INTO webhook_subscriptions (institution_id, url, secret, events) VALUES ($1, $2, $3, $4) RETURNING id`,
      [institution.id, input.url, this.cipher.seal(input.secret, 'webhook_subscriptions.secret'), input.events],
    );
    return (await this.list()).find((s) => s.id === row.id)!;
  }

  async update(id: string, input: { url?: string; secret?: string; events?: WebhookEvent[]; active?: boolean }) {
    const target = input.url === undefined ? null : await this.targetProblem(input.url);
    if (target) throw validationProblem([target]);
    const sets: string[] = [];
    const params: unknown[] = [id];
    const set = (column: string, value: unknown) => sets.push(`${column} = $${params.push(value)}`);
    if (input.url !== undefined) set('url', input.url);
    if (input.secret !== undefined) set('secret', this.cipher.seal(input.secret, 'webhook_subscriptions.secret'));
    if (input.events !== undefined) set('events', input.events);
    if (input.active !== undefined) set('active', input.active);
    // An empty change still runs, so that a missing subscription answers 404 either way.
    const rows = returnedRows(
      await this.dataSource.query(`UPDATE webhook_subscriptions SET ${sets.join(', ') || 'id = id'} WHERE id = $1 RETURNING id`, params),
    );
    if (rows.length === 0) throw notFound(id);
    return (await this.list()).find((s) => s.id === id)!;
  }

  /** The subscription and its delivery log; deliveries still queued find nothing to send. */
  async remove(id: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const rows = returnedRows(await m.query('DELETE FROM webhook_subscriptions WHERE id = $1 RETURNING id', [id]));
      if (rows.length === 0) throw notFound(id);
      await m.query('DELETE FROM webhook_deliveries WHERE subscription_id = $1', [id]);
    });
  }

  /** Refused before it is stored, and checked again at every delivery (see WebhookDeliveryProcessor). */
  private async targetProblem(url: string): Promise<FieldError | null> {
    const problem = await targetProblem(new URL(url), this.policy);
    return problem ? { field: 'url', code: problem.code, message: problem.message } : null;
  }

  async list() {
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT s.id, i.code AS institution, s.url, s.events, s.active, s.created_at FROM webhook_subscriptions s
       JOIN institutions i ON i.id = s.institution_id ORDER BY i.code, s.created_at`,
    );
    return rows.map((r) => ({
      id: r.id,
      institution: r.institution,
      url: r.url,
      events: r.events,
      active: r.active,
      createdAt: r.created_at,
    }));
  }

  async deliveries(subscriptionId: string) {
    const [exists] = await this.dataSource.query('SELECT 1 FROM webhook_subscriptions WHERE id = $1', [subscriptionId]);
    if (!exists) throw notFound(subscriptionId);
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT id, event, payload, status, attempts, last_status_code, last_error, created_at, delivered_at
       FROM webhook_deliveries WHERE subscription_id = $1 ORDER BY created_at DESC LIMIT 200`,
      [subscriptionId],
    );
    return rows.map((r) => ({
      id: r.id,
      event: r.event,
      payload: r.payload,
      status: r.status,
      attempts: r.attempts,
      lastStatusCode: r.last_status_code,
      lastError: r.last_error,
      createdAt: r.created_at,
      deliveredAt: r.delivered_at,
    }));
  }
}

function notFound(id: string): ProblemException {
  return new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No subscription ${id}.`);
}
