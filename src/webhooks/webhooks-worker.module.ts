import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues.module';
import { WebhookDeliveryProcessor } from './jobs/webhook-delivery.processor';
import { WebhooksService } from './webhooks.service';

@Module({ imports: [QueuesModule], providers: [WebhooksService, WebhookDeliveryProcessor] })
export class WebhooksWorkerModule {}
