import { Global, Module } from '@nestjs/common';
import { RateLimitService } from './rate-limit.service';

/** Per-source limits shared by every API instance through Redis. */
@Global()
@Module({ providers: [RateLimitService], exports: [RateLimitService] })
export class RateLimitModule {}
