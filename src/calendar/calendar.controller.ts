import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { AuthUser } from '../auth/auth-user';
import { PutCentreHoursDto, PutSpecialHoursDto } from './dto/centre-hours.dto';
import { CalendarService } from './calendar.service';
import { CreateAdjustmentDto, HolidaysQuery, WorkingDaysQuery } from './dto/adjustment.dto';

@ApiTags('calendar')
@ApiBearerAuth()
@Controller('v1/calendar')
export class CalendarController {
  constructor(private readonly calendars: CalendarService) {}

  @Get('holidays')
  @ApiOperation({
    summary:
      "The year's days off in Latvia (the law's holidays, weekend substitutes, one-off holidays, transferred days) and the Saturdays worked instead",
  })
  async holidays(@Query() q: HolidaysQuery) {
    const [calendar, adjustments] = await Promise.all([this.calendars.calendar(), this.calendars.adjustments()]);
    const transfers = adjustments.filter(
      (a) => a.kind === 'transfer' && (a.date.startsWith(`${q.year}-`) || a.workedOn?.startsWith(`${q.year}-`)),
    );
    return {
      year: q.year,
      holidays: calendar.holidays(q.year),
      transferredDaysOff: transfers
        .filter((t) => t.date.startsWith(`${q.year}-`))
        .map((t) => ({ date: t.date, workedOn: t.workedOn, name: t.name })),
      workedSaturdays: transfers.filter((t) => t.workedOn?.startsWith(`${q.year}-`)).map((t) => ({ date: t.workedOn, insteadOf: t.date })),
    };
  }

  @Get('centres')
  @ApiOperation({ summary: 'The centres work is counted for: the remote VPPPD line and the VPVKAC centres (code, name, kind, town)' })
  centres() {
    return this.calendars.centreList();
  }

  @Get('working-days')
  @ApiOperation({ summary: 'The date a number of working days from another, e.g. the 10-working-day answer deadline' })
  async workingDays(@Query() q: WorkingDaysQuery) {
    const calendar = await this.calendars.calendar();
    return { from: q.from, add: q.add, date: calendar.addWorkingDays(q.from, q.add) };
  }
}

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('v1/admin/calendar/adjustments')
export class CalendarAdminController {
  constructor(private readonly calendars: CalendarService) {}

  @Get()
  list() {
    return this.calendars.adjustments();
  }

  @Post()
  @ApiOperation({ summary: 'Record a Cabinet transfer of a working day, or a one-off holiday' })
  create(@Body() body: CreateAdjustmentDto) {
    return this.calendars.addAdjustment(body);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.calendars.removeAdjustment(id);
  }
}

/** Each centre's week and its special dates; the VPPPD line's calendar also decides when calls and chats reach people. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/calendar/hours')
export class CentreHoursController {
  constructor(private readonly calendars: CalendarService) {}

  @Get()
  @Roles('admin', 'supervisor')
  @ApiOperation({ summary: "Every centre's working hours and special dates" })
  list() {
    return this.calendars.centres();
  }

  @Get(':centre')
  @Roles('admin', 'supervisor')
  get(@Param('centre') centre: string) {
    return this.calendars.centre(centre);
  }

  @Put(':centre')
  @Roles('admin')
  @ApiOperation({ summary: "Set a centre's week and special dates (creates the centre's calendar if it has none)" })
  put(@CurrentUser() user: AuthUser, @Param('centre') centre: string, @Body() body: PutCentreHoursDto) {
    return this.calendars.setCentreHours(user, centre, body);
  }

  @Put(':centre/special/:date')
  @Roles('admin')
  @ApiOperation({ summary: 'Set the hours of one date: open on a holiday, close early, or (an empty list) stay shut' })
  putSpecial(
    @CurrentUser() user: AuthUser,
    @Param('centre') centre: string,
    @Param('date') date: string,
    @Body() body: PutSpecialHoursDto,
  ) {
    return this.calendars.setSpecialDate(user, centre, date, body.hours);
  }

  @Delete(':centre/special/:date')
  @Roles('admin')
  @ApiOperation({ summary: 'The date goes back to the usual hours' })
  removeSpecial(@CurrentUser() user: AuthUser, @Param('centre') centre: string, @Param('date') date: string) {
    return this.calendars.setSpecialDate(user, centre, date, null);
  }
}
