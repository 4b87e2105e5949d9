import { Module } from '@nestjs/common';
import { CalendarAdminController, CalendarController } from './calendar.controller';
import { CalendarService } from './calendar.service';

/** The business calendar in Latvian time: holidays by law plus the adjustments and hours kept as data. */
@Module({ controllers: [CalendarController, CalendarAdminController], providers: [CalendarService], exports: [CalendarService] })
export class CalendarModule {}
