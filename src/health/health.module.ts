import { Module } from '@nestjs/common';
import { EmailCoreModule } from '../channels/email/email-core.module';
import { QueuesModule } from '../queues.module';
import { MetricsController } from '../metrics/metrics.controller';
import { HealthController } from './health.controller';

/** The operations endpoints: /health and /metrics. */
@Module({ imports: [QueuesModule, EmailCoreModule], controllers: [HealthController, MetricsController] })
export class HealthModule {}
