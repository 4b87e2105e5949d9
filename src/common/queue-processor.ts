import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue, UnrecoverableError } from 'bullmq';
import { JobName, scheduleEvery } from '../queues';

/** How long a stopping worker lets the jobs in hand finish before leaving them to stall and be retried elsewhere. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

export interface PeriodicWork {
  job: JobName;
  everyMs: number;
  run: (job: Job) => Promise<unknown>;
  /** Failed runs kept in Redis to look at. */
  keepFailed?: number;
}

/**
 * The one base of every BullMQ processor: an 'error' listener (a worker without one crashes the process on a Redis
 * hiccup; it reconnects by itself), a graceful close when the application stops (jobs in hand finish while
 * PostgreSQL is still connected, up to a grace period), and periodic work as BullMQ job schedulers on the
 * processor's own queue, never timers: a schedule is one per queue however many workers upsert it, so two workers
 * never both run a tick, and it lives in Redis, so it survives a restart (and is upserted again when Redis comes
 * back without its data).
 *
 * A subclass implements `handle` for its own jobs and lists its periodic work in `periodic()`.
 */
export abstract class QueueProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  protected readonly logger = new Logger(this.constructor.name);

  /**
   * `queue` is the processor's own queue, needed only to schedule periodic work; `shutdownGraceMs` how long
   * jobs in hand may finish when the application stops.
   */
  protected constructor(
    protected readonly queueName: string,
    private readonly options: { queue?: Queue; shutdownGraceMs?: number } = {},
  ) {
    super();
  }

  /** The queue's own jobs; a queue that only runs periodic work has none, and refuses a job it does not know. */
  protected async handle(job: Job): Promise<unknown> {
    throw new UnrecoverableError(`the ${this.queueName} queue has no job ${job.name}`);
  }

  /** The work this queue does on a schedule; none by default. */
  protected periodic(): PeriodicWork[] {
    return [];
  }

  async process(job: Job): Promise<unknown> {
    const scheduled = this.periodic().find((p) => p.job === job.name);
    return scheduled ? scheduled.run(job) : this.handle(job);
  }

  async onApplicationBootstrap(): Promise<void> {
    const periodic = this.periodic();
    if (periodic.length === 0) return;
    const queue = this.options.queue;
    if (!queue) throw new Error(`${this.constructor.name} has periodic work but was not given its queue`);
    await this.schedule(queue, periodic);
    // A Redis that comes back empty (restarted without its data) has lost the schedules with the jobs: they are
    // upserted again whenever the queue's connection is ready again (idempotent when they are still there).
    const client = await queue.client.catch(() => null);
    client?.on('ready', () => void this.schedule(queue, periodic));
  }

  private async schedule(queue: Queue, periodic: PeriodicWork[]): Promise<void> {
    for (const p of periodic) {
      if (!(await scheduleEvery(queue, p.job, p.everyMs, p.keepFailed ?? 20))) {
        this.logger.warn({ job: p.job }, 'could not schedule periodic work; it is scheduled again when Redis answers or a worker starts');
      }
    }
  }

  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.logger.warn({ err: error }, '%s worker error (it reconnects by itself)', this.queueName);
  }

  async beforeApplicationShutdown(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const graceful = this.worker.close().then(() => 'closed' as const);
    const timeout = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), this.options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS)),
    );
    const outcome = await Promise.race([graceful, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.logger.warn('%s jobs still running after the grace period; they will be retried by another worker', this.queueName);
      await this.worker.close(true);
    }
  }
}
