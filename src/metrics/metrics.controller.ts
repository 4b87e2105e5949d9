import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Queue } from 'bullmq';
import { Public } from '../auth/auth.decorators';
import { QueueName } from '../queues';
import { MetricsService } from './metrics.service';

@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @InjectQueue(QueueName.Inbound) private readonly inboundQueue: Queue,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    // Queue depth is shared state in Redis, so any instance reports the same truth.
    const counts = await this.inboundQueue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized', 'paused');
    for (const [state, n] of Object.entries(counts)) {
      this.metrics.queueDepth.set({ queue: QueueName.Inbound, state }, n);
    }
    return this.metrics.registry.metrics();
  }
}
