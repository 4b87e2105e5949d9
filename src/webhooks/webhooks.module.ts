import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues.module';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

/** Outbound webhooks for institutions' own systems: the admin API, and recording deliveries with changes. */
@Module({ imports: [QueuesModule], controllers: [WebhooksController], providers: [WebhooksService], exports: [WebhooksService] })
export class WebhooksModule {}
