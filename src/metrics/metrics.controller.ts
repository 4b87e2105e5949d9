import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, Header, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Queue } from 'bullmq';
import type { HttpRequest } from '../common/http';
import { Public } from '../auth/auth.decorators';
import { OperationsAccess } from '../health/operations-access';
import { QueueName } from '../queues';
import { MetricsService } from './metrics.service';

/** Prometheus scrape, behind the monitoring token (METRICS_TOKEN): the numbers describe the centre's work. */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly access: OperationsAccess,
    @InjectQueue(QueueName.Inbound) private readonly inboundQueue: Queue,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(@Req() req: HttpRequest): Promise<string> {
    this.access.assertMetricsAllowed(req);
    // Queue depth is shared state in Redis, so any instance reports the same truth.
    const counts = await this.inboundQueue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized', 'paused');
    for (const [state, n] of Object.entries(counts)) {
      this.metrics.queueDepth.set({ queue: QueueName.Inbound, state }, n);
    }
    return this.metrics.registry.metrics();
  }
}
