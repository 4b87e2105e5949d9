import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues.module';
import { WebhooksService } from './webhooks.service';

/** Recording and enqueueing deliveries, for every module that changes what an institution subscribes to. */
@Module({ imports: [QueuesModule], providers: [WebhooksService], exports: [WebhooksService] })
export class WebhooksCoreModule {}
