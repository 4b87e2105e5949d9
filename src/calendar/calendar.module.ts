import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { CalendarAdminController, CalendarController, CentreHoursController } from './calendar.controller';
import { CalendarService } from './calendar.service';

/** The business calendar in Latvian time: holidays by law plus the adjustments and hours kept as data. */
@Module({
  imports: [AuditModule, RealtimeModule],
  controllers: [CalendarController, CalendarAdminController, CentreHoursController],
  providers: [CalendarService],
  exports: [CalendarService],
})
export class CalendarModule {}
