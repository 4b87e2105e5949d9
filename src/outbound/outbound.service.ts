import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { JobsOptions, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { JobName, QueueName, retryFailed } from '../queues';

export interface SendMessageJobData {
  messageId: string;
}

export const OUTBOUND_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 5000 },
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
};

/** Puts stored outbound messages on the `outbound` queue; one job per message, whatever calls it how often. */
@Injectable()
export class OutboundService {
  private readonly logger = new Logger(OutboundService.name);

  constructor(
    @InjectQueue(QueueName.Outbound) private readonly queue: Queue<SendMessageJobData>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async enqueue(messageIds: string[]): Promise<void> {
    if (messageIds.length === 0) return;
    try {
      await this.queue.addBulk(
        messageIds.map((messageId) => ({
          name: JobName.SendMessage,
          data: { messageId },
          opts: { ...OUTBOUND_JOB_OPTIONS, jobId: `send-${messageId}` },
        })),
      );
    } catch (error) {
      // The messages are stored as queued; the sweep sends them once Redis answers again.
      this.logger.warn({ err: error, count: messageIds.length }, 'could not enqueue outbound messages');
    }
  }

  /** Finds messages still queued (their job lost with Redis) and enqueues them again; existing jobs make it a no-op. */
  async requeueStuck(olderThanMs: number): Promise<number> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM messages WHERE direction = 'outbound' AND delivery_status = 'queued'
         AND created_at < now() - make_interval(secs => $1) ORDER BY created_at LIMIT 5000`,
      [olderThanMs / 1000],
    );
    await this.enqueue(rows.map((r) => r.id));
    await this.retryStalledOut(rows.map((r) => r.id));
    return rows.length;
  }

  /**
   * A job BullMQ failed because it stalled too often (its worker lost the lock, as in a Redis failover) keeps its
   * id, so enqueueing the message again adds nothing and it would stay queued for ever. A message still queued
   * has not failed for good (a final failure marks it failed), so its failed job is retried; a send that did
   * happen finds the message sent and does nothing.
   */
  private async retryStalledOut(messageIds: string[]): Promise<void> {
    try {
      await retryFailed(
        this.queue,
        messageIds.map((id) => `send-${id}`),
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'could not look for failed jobs of queued messages; the next sweep tries again');
    }
  }
}
