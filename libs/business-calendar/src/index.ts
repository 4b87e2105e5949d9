export { BusinessCalendar, STANDARD_OFFICE_HOURS } from './business-calendar';
export type { BusinessCalendarOptions, Interval, SpecialHours, WeekdayKey, WorkingHours } from './business-calendar';
export { LATVIA_KNOWN_ADJUSTMENTS, FIRST_SUPPORTED_YEAR, easterSunday, latvianHolidays } from './latvian-holidays';
export type { Adjustments, ExtraHoliday, Holiday, HolidayKind, Transfer } from './latvian-holidays';
export { rigaDate } from './riga-time';
