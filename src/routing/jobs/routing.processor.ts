import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { PresenceService } from '../../presence/presence.service';
import { JobName, QueueName, scheduleEvery } from '../../queues';
import { AssignmentService } from '../assignment.service';

/**
 * Runs the `routing` queue: offers waiting work when something signals it, and on a schedule puts silent agents
 * offline and offers again, which also repairs any signal lost with Redis.
 */
@Processor(QueueName.Routing, { concurrency: 1 })
export class RoutingProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(RoutingProcessor.name);

  constructor(
    private readonly assignment: AssignmentService,
    private readonly presence: PresenceService,
    private readonly config: AppConfig,
    @InjectQueue(QueueName.Routing) private readonly queue: Queue,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!(await scheduleEvery(this.queue, JobName.RoutingSweep, this.config.ROUTING_SWEEP_SECONDS * 1000, 100))) this.logger.warn('could not schedule the routing sweep; will rely on signals');
  }

  async process(job: Job): Promise<{ assigned: number; offline?: number }> {
    if (job.name === JobName.RoutingSweep) {
      const offline = await this.presence.sweepTimeouts();
      return { offline, assigned: await this.assignment.offerWaitingWork() };
    }
    return { assigned: await this.assignment.offerWaitingWork() };
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn({ err: error }, '%s worker error (it reconnects by itself)', 'routing');
  }
}
