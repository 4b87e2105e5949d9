import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { withTimeout } from '../common/with-timeout';
import { JobName, QueueName } from '../queues';

/**
 * Asks the workers to offer waiting work now: new tickets arrived, an agent came online, capacity was freed.
 * Best effort: if Redis is away the periodic sweep offers the same work a little later.
 */
@Injectable()
export class RoutingSignals {
  private readonly logger = new Logger(RoutingSignals.name);

  constructor(@InjectQueue(QueueName.Routing) private readonly queue: Queue) {}

  async offerWork(reason: string): Promise<void> {
    try {
      // No job id: a signal during a running offer must lead to one more pass, not be merged into the running one.
      await withTimeout(this.queue.add(JobName.OfferWork, { reason }, { removeOnComplete: true, removeOnFail: 100 }), 2000, 'Redis');
    } catch (error) {
      this.logger.warn({ err: error, reason }, 'could not signal the routing workers; the sweep will offer the work');
    }
  }
}
