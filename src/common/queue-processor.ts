import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { JobName, scheduleEvery } from '../queues';
import { withTimeout } from './with-timeout';

/** How long a stopping worker lets the jobs in hand finish before leaving them to stall and be retried elsewhere. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/** How long a worker's connections may take to close once the grace period is over. */
const FORCED_CLOSE_MS = 2_000;

/** The longest a worker goes without checking that its queue's schedules still have a next tick in Redis. */
export const SCHEDULE_CHECK_MAX_MS = 15_000;

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
 * back without its data, or when a failover lost a schedule's next tick: see `checkSchedules`).
 *
 * A subclass implements `handle` for its own jobs and lists its periodic work in `periodic()`.
 */
export abstract class QueueProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  protected readonly logger = new Logger(this.constructor.name);
  private scheduleCheck?: NodeJS.Timeout;

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
  protected async handle(job: Job, _token?: string): Promise<unknown> {
    throw new UnrecoverableError(`the ${this.queueName} queue has no job ${job.name}`);
  }

  /** The work this queue does on a schedule; none by default. */
  protected periodic(): PeriodicWork[] {
    return [];
  }

  /**
   * Runs when the queue's connection is ready again after Redis went away (a restart, a Sentinel failover): jobs
   * the failover lost are repaired from PostgreSQL now rather than at the next periodic sweep, up to two intervals
   * later. Nothing by default.
   */
  protected async reconnected(): Promise<void> {}

  /** `token` is the job's lock, which moving the job (to delayed, say) from inside its processor needs. */
  async process(job: Job, token?: string): Promise<unknown> {
    const scheduled = this.periodic().find((p) => p.job === job.name);
    return scheduled ? scheduled.run(job) : this.handle(job, token);
  }

  async onApplicationBootstrap(): Promise<void> {
    const periodic = this.periodic();
    const queue = this.options.queue;
    if (!queue) {
      if (periodic.length > 0) throw new Error(`${this.constructor.name} has periodic work but was not given its queue`);
      return;
    }
    if (periodic.length > 0) await this.schedule(queue, periodic);
    // A Redis that comes back empty (restarted without its data) has lost the schedules with the jobs: they are
    // upserted again whenever the queue's connection is ready again (idempotent when they are still there).
    const client = await queue.client.catch(() => null);
    client?.on('ready', () => {
      if (periodic.length > 0) void this.schedule(queue, periodic);
      this.reconnected().catch((error) => this.logger.warn({ err: error }, 'repair after reconnecting to Redis failed'));
    });
    if (periodic.length === 0) return;
    const every = Math.min(SCHEDULE_CHECK_MAX_MS, ...periodic.map((p) => p.everyMs));
    this.scheduleCheck = setInterval(() => void this.checkSchedules(queue, periodic), every);
    this.scheduleCheck.unref();
  }

  /**
   * A schedule is a chain in Redis: each tick's job, when a worker takes it, writes the next one. A failover can
   * break the chain without any connection ever becoming 'ready' again (a Cluster client stays ready while one
   * primary is replaced): the next tick was written to a primary that died before its replica had it, or the tick
   * was taken by a command whose answer never came, so it sits active until BullMQ calls it stalled. The schedule
   * then simply stops, and with it the sweeps that repair what the failover lost. A tick overdue by a whole
   * interval is upserted again, which writes the next tick (and leaves a pending one where it is).
   */
  async checkSchedules(queue: Queue, periodic: PeriodicWork[], now = Date.now()): Promise<void> {
    for (const p of periodic) {
      const scheduler = await queue.getJobScheduler(p.job).catch(() => null);
      if (scheduler === null) continue; // Redis does not answer: nothing to repair with either
      if (scheduler?.next != null && scheduler.next + p.everyMs >= now) continue;
      this.logger.warn({ job: p.job, next: scheduler?.next }, 'periodic work missed its tick (lost with Redis); scheduling it again');
      await scheduleEvery(queue, p.job, p.everyMs, p.keepFailed ?? 20);
    }
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

  /**
   * Jobs in hand finish (up to the grace period) while PostgreSQL is still connected; then the worker's connections
   * are cut. Never waits for ever: a stopping process that hangs is killed by its supervisor with jobs half done.
   */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.scheduleCheck);
    const grace = this.options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
    const blocking = blockingConnectionOf(this.worker);
    const closing = this.worker.close();
    // The blocking connection only waits for the next job, so it is closed at once; jobs in hand use the other
    // one. Closing it also turns off BullMQ's repair of a blocking Cluster client, which would connect it again.
    await withTimeout(blocking.close(true), grace, 'closing the blocking connection').catch(() => undefined);
    const outcome = await withTimeout(closing, grace, 'the jobs in hand').then(
      () => 'closed' as const,
      () => 'timeout' as const,
    );
    if (outcome === 'closed') return;
    this.logger.warn('%s worker did not stop within the grace period; jobs it held will be retried by another worker', this.queueName);
    // BullMQ keeps one close under way and hands it to every later caller, close(true) and the Nest module's own
    // shutdown included, so a close stuck on a dead connection would hold the process for ever: it is replaced by
    // a settled one, and the worker's own connection is cut. The Cluster client the queues share is not the
    // worker's: QueueConnectionCloser ends it after every worker of the process had its grace period.
    this.worker.closing = Promise.resolve();
    if ((this.worker.opts.connection as { isCluster?: boolean }).isCluster) return;
    await withTimeout(this.worker.disconnect(), FORCED_CLOSE_MS, 'disconnecting the worker').catch(() => undefined);
  }
}

interface BlockingConnection {
  close(force?: boolean): Promise<void>;
}

/** The connection a BullMQ worker waits for jobs on; BullMQ keeps it private and offers no way to close it alone. */
function blockingConnectionOf(worker: Worker): BlockingConnection {
  return (worker as unknown as { blockingConnection: BlockingConnection }).blockingConnection;
}
