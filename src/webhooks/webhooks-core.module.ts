import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues.module';
import { WebhooksService } from './webhooks.service';

/** Subscriptions and the delivery log, for the admin API, the changes that record deliveries and the worker. */
@Module({ imports: [QueuesModule], providers: [WebhooksService], exports: [WebhooksService] })
export class WebhooksCoreModule {}
