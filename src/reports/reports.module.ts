import { Module } from '@nestjs/common';
import { CalendarModule } from '../calendar/calendar.module';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

/** Monthly reports: volumes, SLA compliance, CSAT and the funding report per centre. */
@Module({ imports: [CalendarModule], controllers: [ReportsController], providers: [ReportsService] })
export class ReportsModule {}
