import { Module } from '@nestjs/common';
import { EmailCoreModule } from '../channels/email/email-core.module';
import { QueuesModule } from '../queues.module';
import { MetricsController } from '../metrics/metrics.controller';
import { HealthController } from './health.controller';
import { ScanningModule } from '../scanning/scanning.module';
import { OperationsAccess } from './operations-access';

/** The operations endpoints: /health and /metrics. */
@Module({
  imports: [QueuesModule, EmailCoreModule, ScanningModule],
  controllers: [HealthController, MetricsController],
  providers: [OperationsAccess],
})
export class HealthModule {}
