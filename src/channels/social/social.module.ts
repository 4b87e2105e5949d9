import { Module } from '@nestjs/common';
import { CsatModule } from '../../csat/csat.module';
import { InboundModule } from '../../inbound/inbound.module';
import { QueuesModule } from '../../queues.module';
import { SocialInboundService } from './social-inbound.service';
import { MetaSignatureGuard, TelegramSecretGuard } from './social-signature.guards';
import { SocialWebhookController } from './social-webhook.controller';

/** The social channel adapter: Meta (Messenger, Instagram, WhatsApp) and Telegram webhooks. */
@Module({
  imports: [InboundModule, QueuesModule, CsatModule],
  controllers: [SocialWebhookController],
  providers: [SocialInboundService, MetaSignatureGuard, TelegramSecretGuard],
})
export class SocialModule {}
