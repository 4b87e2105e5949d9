import { Module } from '@nestjs/common';
import { PresenceController } from './presence.controller';
import { PresenceCoreModule } from './presence-core.module';

/** The presence API: agents set their own state, supervisors see everyone's. */
@Module({ imports: [PresenceCoreModule], controllers: [PresenceController], exports: [PresenceCoreModule] })
export class PresenceModule {}
