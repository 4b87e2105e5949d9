import { InjectQueue, OnWorkerEvent, Processor } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import { AddressPolicy, TargetRefused } from '@lib/network-guard';
import { signTimestampedHmac } from '@lib/webhook-signature';
import { Job, Queue, UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { SecretCipher } from '../../secrets/secret-cipher';
import { PeriodicWork, QueueProcessor } from '../../common/queue-processor';
import { JobName, QueueName, QUICK_RECOVERY } from '../../queues';
import { postWebhook } from '../webhook-post';
import { WebhooksService } from '../webhooks.service';

const TIMEOUT_MS = 10_000;
const SWEEP_EVERY_MS = 60_000;

/**
 * Posts a delivery as JSON, signed like the web forms we receive (X-Signature: t=…,v1=HMAC-SHA256 of "<t>.<body>"),
 * so an institution verifies it the way we verify the portal. Any 2xx is delivered; anything else (a redirect
 * too: it is not followed) is retried with backoff, and the last status code or error is kept for the admins'
 * delivery log. An internal target address fails the delivery for good.
 */
@Processor(QueueName.Webhooks, { ...QUICK_RECOVERY, concurrency: 8 })
export class WebhookDeliveryProcessor extends QueueProcessor {
  private readonly policy: AddressPolicy;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly webhooks: WebhooksService,
    config: AppConfig,
    private readonly cipher: SecretCipher,
    @InjectQueue(QueueName.Webhooks) queue: Queue,
  ) {
    super(QueueName.Webhooks, { queue });
    this.policy = new AddressPolicy(config.WEBHOOK_ALLOWED_NETWORKS);
  }

  override async onApplicationBootstrap(): Promise<void> {
    await super.onApplicationBootstrap();
    void this.sweep(0);
  }

  /** Deliveries recorded but never queued (Redis away at the time) are queued again. */
  protected override periodic(): PeriodicWork[] {
    return [{ job: JobName.WebhookSweep, everyMs: SWEEP_EVERY_MS, run: () => this.sweep(SWEEP_EVERY_MS) }];
  }

  private async sweep(olderThanMs: number): Promise<void> {
    await this.webhooks
      .requeueStuck(olderThanMs)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'webhook sweep failed; will try again'));
  }

  protected override async handle(job: Job<{ deliveryId: string }>): Promise<number> {
    const [row]: Array<{ id: string; event: string; payload: unknown; status: string; url: string; secret: string; active: boolean }> =
      await this.dataSource.query(
        `SELECT d.id, d.event, d.payload, d.status, s.url, s.secret, s.active
       FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.id = $1`,
        [job.data.deliveryId],
      );
    if (!row || row.status !== 'queued') return 0;
    if (!row.active) throw new UnrecoverableError('the subscription was disabled');
    const body = JSON.stringify(row.payload);
    let status = 0;
    try {
      status = await postWebhook(
        row.url,
        {
          'Content-Type': 'application/json',
          'X-Signature': signTimestampedHmac(
            this.cipher.open(row.secret, 'webhook_subscriptions.secret'),
            body,
            Math.floor(Date.now() / 1000),
          ),
          'X-Webhook-Event': row.event,
          'X-Webhook-Delivery': row.id,
        },
        body,
        { policy: this.policy, timeoutMs: TIMEOUT_MS },
      );
    } catch (error) {
      await this.note(row.id, null, (error as Error).message);
      // Checked again here, not only when subscribing: the name may resolve elsewhere now (DNS rebinding).
      if (error instanceof TargetRefused) throw new UnrecoverableError(error.message);
      throw error;
    }
    if (status < 200 || status >= 300) {
      const why = status >= 300 && status < 400 ? `HTTP ${status}: redirects are not followed` : `HTTP ${status}`;
      await this.note(row.id, status, why);
      throw new Error(`the receiver answered ${why}`);
    }
    await this.dataSource.query(
      `UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_status_code = $2, last_error = NULL, delivered_at = now() WHERE id = $1`,
      [row.id, status],
    );
    return status;
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job<{ deliveryId: string }> | undefined, error: Error): Promise<void> {
    if (!job || job.name === JobName.WebhookSweep) return;
    const final = error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (final) {
      await this.dataSource
        .query(`UPDATE webhook_deliveries SET status = 'failed', last_error = $2 WHERE id = $1 AND status = 'queued'`, [
          job.data.deliveryId,
          error.message.slice(0, 2000),
        ])
        .catch(() => undefined);
    }
  }

  private async note(id: string, status: number | null, error: string): Promise<void> {
    await this.dataSource.query(
      'UPDATE webhook_deliveries SET attempts = attempts + 1, last_status_code = $2, last_error = $3 WHERE id = $1',
      [id, status, error.slice(0, 2000)],
    );
  }
}
