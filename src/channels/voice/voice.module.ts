import { CsatModule } from '../../csat/csat.module';
import { Module } from '@nestjs/common';
import { AuditModule } from '../../audit/audit.module';
import { CalendarModule } from '../../calendar/calendar.module';
import { AppConfig } from '../../config/app-config';
import { InboundModule } from '../../inbound/inbound.module';
import { RealtimeModule } from '../../realtime/realtime.module';
import { TicketsModule } from '../../tickets/tickets.module';
import { CallProgressService } from './call-progress.service';
import { IvrAdminController } from './ivr-admin.controller';
import { RecordingFetcher } from './recording-fetcher';
import { TWILIO_REST, twilioRestClient } from './twilio-rest';
import { TwilioSignature } from './twilio-signature';
import { VoiceCallsService } from './voice-calls.service';
import { VoiceIvrService } from './voice-ivr.service';
import { VoiceMenuService } from './voice-menu.service';
import { VoiceOperatorsController } from './voice-operators.controller';
import { VoiceOperatorsService } from './voice-operators.service';
import { VoiceWebhookRoutes } from './voice-webhook-routes';

/** The voice channel: Twilio IVR (level 0), queueing to operators, voicemail and call-backs. */
@Module({
  imports: [InboundModule, CalendarModule, TicketsModule, AuditModule, CsatModule, RealtimeModule],
  controllers: [VoiceOperatorsController, IvrAdminController],
  providers: [
    TwilioSignature,
    VoiceWebhookRoutes,
    VoiceMenuService,
    CallProgressService,
    VoiceCallsService,
    VoiceIvrService,
    VoiceOperatorsService,
    RecordingFetcher,
    { provide: TWILIO_REST, useFactory: twilioRestClient, inject: [AppConfig] },
  ],
})
export class VoiceModule {}
