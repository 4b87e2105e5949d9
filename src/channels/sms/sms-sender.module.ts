import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { TWILIO_REST, twilioRestClient } from '../voice/twilio-rest';
import { SmsSender } from './sms-sender';

@Module({ providers: [SmsSender, { provide: TWILIO_REST, useFactory: twilioRestClient, inject: [AppConfig] }], exports: [SmsSender] })
export class SmsSenderModule {}
