import { Module } from '@nestjs/common';
import { SocialSender } from './social-sender';

@Module({ providers: [SocialSender], exports: [SocialSender] })
export class SocialSenderModule {}
