import { Module } from '@nestjs/common';
import { QueuesModule } from '../../queues.module';
import { RealtimeModule } from '../../realtime/realtime.module';
import { ScanningModule } from '../../scanning/scanning.module';
import { SocialMediaFetcher } from './social-media-fetcher';
import { SocialMediaProcessor } from './social-media.processor';

/** The worker side of the social channels: fetches the files citizens sent into their messages. */
@Module({
  imports: [QueuesModule, RealtimeModule, ScanningModule],
  providers: [SocialMediaFetcher, SocialMediaProcessor],
})
export class SocialWorkerModule {}
