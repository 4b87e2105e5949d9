import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Job, Queue } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { PresenceService } from '../../presence/presence.service';
import { PeriodicWork, QueueProcessor } from '../../common/queue-processor';
import { JobName, QueueName, QUICK_RECOVERY } from '../../queues';
import { AssignmentService } from '../assignment.service';

/**
 * Runs the `routing` queue: offers waiting work when something signals it, and on a schedule puts silent agents
 * offline and offers again, which also repairs any signal lost with Redis.
 */
@Processor(QueueName.Routing, { ...QUICK_RECOVERY, concurrency: 1 })
export class RoutingProcessor extends QueueProcessor {
  constructor(
    private readonly assignment: AssignmentService,
    private readonly presence: PresenceService,
    private readonly config: AppConfig,
    @InjectQueue(QueueName.Routing) queue: Queue,
  ) {
    super(QueueName.Routing, { queue });
  }

  /** Without the schedule, signals alone offer work. */
  protected override periodic(): PeriodicWork[] {
    return [{ job: JobName.RoutingSweep, everyMs: this.config.ROUTING_SWEEP_SECONDS * 1000, keepFailed: 100, run: () => this.sweep() }];
  }

  private async sweep(): Promise<{ assigned: number; offline: number }> {
    const offline = await this.presence.sweepTimeouts();
    return { offline, assigned: await this.assignment.offerWaitingWork() };
  }

  protected override async handle(_job: Job): Promise<{ assigned: number }> {
    return { assigned: await this.assignment.offerWaitingWork() };
  }
}
