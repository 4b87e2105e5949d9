import { Module } from '@nestjs/common';
import { WebhooksController } from './webhooks.controller';
import { WebhooksCoreModule } from './webhooks-core.module';

/** Outbound webhooks for institutions' own systems: the admin API, and recording deliveries with changes. */
@Module({ imports: [WebhooksCoreModule], controllers: [WebhooksController], exports: [WebhooksCoreModule] })
export class WebhooksModule {}
