import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues.module';
import { WebhookDeliveryProcessor } from './jobs/webhook-delivery.processor';
import { WebhooksCoreModule } from './webhooks-core.module';

@Module({ imports: [QueuesModule, WebhooksCoreModule], providers: [WebhookDeliveryProcessor] })
export class WebhooksWorkerModule {}
