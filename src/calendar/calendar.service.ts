import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { BusinessCalendar, SpecialHours, WorkingHours } from '@lib/business-calendar';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { FieldError, ProblemException, validationProblem } from '../common/problem';
import { returnedRows } from '../database/rows';
import { Invalidations } from '../realtime/invalidations';

export const DEFAULT_CENTRE = 'VPPPD';
const TTL_MS = 30_000;
/** The Redis topic whose keys are centre codes whose calendar changed ('*': all of them). */
const CALENDAR_TOPIC = 'calendar';
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
/** Dates of special hours a centre keeps: years of them, and still a size a calendar is built from in no time. */
const MAX_SPECIAL_DATES = 1000;
const CENTRE = /^[A-Z0-9_-]{2,32}$/;

type Spans = Array<[string, string]>;

export interface CentreHoursView {
  centre: string;
  hours: WorkingHours;
  specialHours: Record<string, Spans>;
  updatedAt: string;
}

type Queryable = Pick<DataSource, 'query'>;

export interface CentreView {
  code: string;
  name: string;
  kind: 'remote' | 'vpvkac';
  town: string | null;
}

export interface AdjustmentView {
  id: string;
  kind: 'transfer' | 'holiday';
  date: string;
  workedOn: string | null;
  name: string | null;
  weekendMoves: boolean;
}

/**
 * The centre's business calendar: the law's holidays (computed by libs/business-calendar) plus the adjustments
 * and working hours kept in PostgreSQL. Kept in memory (the IVR reads the hours on every queued call) for at most
 * 30 s; a change is published to every instance after commit (Invalidations), so all of them rebuild it at once.
 */
@Injectable()
export class CalendarService {
  private cached = new Map<string, { at: number; calendar: BusinessCalendar }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly invalidations: Invalidations,
  ) {
    invalidations.listen(CALENDAR_TOPIC, {
      drop: (centres) => (centres.includes('*') ? this.cached.clear() : centres.forEach((c) => this.cached.delete(c))),
      dropAll: () => this.cached.clear(),
    });
  }

  /** After commit: this instance and every other one forget the calendars `centres` (or all of them: '*'). */
  private async changed(centres: string[]): Promise<void> {
    await this.invalidations.publish(CALENDAR_TOPIC, centres);
  }

  /**
   * `db` is the caller's transaction when it holds one: taking a second pool connection while holding the first
   * starves the pool under load (every holder waits for a connection none of them gives back).
   */
  async calendar(centre = DEFAULT_CENTRE, db: Queryable = this.dataSource): Promise<BusinessCalendar> {
    const hit = this.cached.get(centre);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.calendar;
    const adjustments = await this.adjustments(db);
    const [hours] = await db.query('SELECT hours, special_hours FROM business_hours WHERE centre = $1', [centre]);
    if (!hours) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No working hours for centre ${centre}.`);
    const calendar = new BusinessCalendar({
      hours: hours.hours as WorkingHours,
      specialHours: hours.special_hours as SpecialHours,
      adjustments: {
        transfers: adjustments.filter((a) => a.kind === 'transfer').map((a) => ({ dayOff: a.date, workedOn: a.workedOn! })),
        extraHolidays: adjustments
          .filter((a) => a.kind === 'holiday')
          .map((a) => ({ date: a.date, name: a.name ?? undefined, weekendMovesToNextWorkingDay: a.weekendMoves })),
      },
    });
    this.cached.set(centre, { at: Date.now(), calendar });
    return calendar;
  }

  /** The centres work is counted for: the remote VPPPD line first, then the VPVKAC centres by name. */
  async centreList(db: Queryable = this.dataSource): Promise<CentreView[]> {
    return db.query(`SELECT code, name, kind, town FROM centres ORDER BY kind = 'remote' DESC, name`);
  }

  /** The centre with this code (any case), or null. */
  async findCentre(code: string, db: Queryable = this.dataSource): Promise<CentreView | null> {
    const [row] = await db.query(`SELECT code, name, kind, town FROM centres WHERE code = $1`, [code.toUpperCase()]);
    return row ?? null;
  }

  async adjustments(db: Queryable = this.dataSource): Promise<AdjustmentView[]> {
    const rows: Array<Record<string, any>> = await db.query(
      `SELECT id, kind, to_char(date, 'YYYY-MM-DD') AS date, to_char(worked_on, 'YYYY-MM-DD') AS worked_on, name, weekend_moves
       FROM calendar_adjustments ORDER BY date, kind`,
    );
    return rows.map((r) => ({ id: r.id, kind: r.kind, date: r.date, workedOn: r.worked_on, name: r.name, weekendMoves: r.weekend_moves }));
  }

  async addAdjustment(input: {
    kind: 'transfer' | 'holiday';
    date: string;
    workedOn?: string;
    name?: string;
    weekendMoves?: boolean;
  }): Promise<AdjustmentView> {
    if (input.kind === 'transfer' && !input.workedOn) {
      throw validationProblem([{ field: 'workedOn', code: 'required', message: 'a transfer names the day worked instead' }]);
    }
    if (input.kind === 'holiday' && input.workedOn) {
      throw validationProblem([{ field: 'workedOn', code: 'notAllowed', message: 'only a transfer has a day worked instead' }]);
    }
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO calendar_adjustments (kind, date, worked_on, name, weekend_moves) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (kind, date) DO NOTHING RETURNING id`,
      [input.kind, input.date, input.workedOn ?? null, input.name ?? null, input.weekendMoves ?? false],
    );
    if (rows.length === 0)
      throw new ProblemException(HttpStatus.CONFLICT, 'conflict', 'Conflict', `A ${input.kind} on ${input.date} exists already.`);
    this.cached.clear();
    // Building the calendar checks the data as a whole (e.g. a transfer onto a day that is not a weekend day).
    try {
      await this.calendar();
    } catch (error) {
      await this.dataSource.query('DELETE FROM calendar_adjustments WHERE id = $1', [rows[0].id]);
      this.cached.clear();
      throw validationProblem([{ field: 'date', code: 'invalid', message: (error as Error).message }]);
    }
    await this.changed(['*']);
    return (await this.adjustments()).find((a) => a.id === rows[0].id)!;
  }

  async removeAdjustment(id: string): Promise<void> {
    const rows = returnedRows(await this.dataSource.query('DELETE FROM calendar_adjustments WHERE id = $1 RETURNING id', [id]));
    if (rows.length === 0) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No adjustment ${id}.`);
    await this.changed(['*']);
  }

  async centres(): Promise<CentreHoursView[]> {
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT centre, hours, special_hours, updated_at FROM business_hours ORDER BY centre`,
    );
    return rows.map(toView);
  }

  async centre(code: string): Promise<CentreHoursView> {
    const [row] = await this.dataSource.query(`SELECT centre, hours, special_hours, updated_at FROM business_hours WHERE centre = $1`, [
      code.toUpperCase(),
    ]);
    if (!row) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No working hours for centre ${code}.`);
    return toView(row);
  }

  /**
   * Sets a centre's week and its special dates (creating the centre's calendar if it had none). Every instance
   * sees the change at once (published after commit).
   */
  async setCentreHours(
    user: AuthUser,
    code: string,
    input: { hours: Record<string, unknown>; specialHours?: Record<string, unknown> },
  ): Promise<CentreHoursView> {
    const centre = centreCode(code);
    const hours = checkWeek(input.hours);
    const specialHours = checkSpecialDates(input.specialHours ?? {});
    return this.write(user, centre, () => ({ hours, specialHours, action: 'calendar.hours_set', detail: { hours, specialHours } }));
  }

  /** Sets (or with `null`, removes) the special hours of one date, leaving the rest of the centre's calendar as it is. */
  async setSpecialDate(user: AuthUser, code: string, date: string, spans: unknown[] | null): Promise<CentreHoursView> {
    const centre = centreCode(code);
    const checked = spans === null ? null : checkSpecialDates({ [date]: spans }, '')[date];
    return this.write(user, centre, (current) => {
      if (!current) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No working hours for centre ${code}.`);
      const special = { ...current.specialHours };
      if (checked === null) {
        if (!(date in special))
          throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `Centre ${centre} has no special hours on ${date}.`);
        delete special[date];
      } else {
        special[date] = checked;
      }
      if (Object.keys(special).length > MAX_SPECIAL_DATES) {
        throw validationProblem([
          {
            field: 'date',
            code: 'tooMany',
            message: `a centre keeps at most ${MAX_SPECIAL_DATES} dates of special hours; remove past ones first`,
          },
        ]);
      }
      const action = checked === null ? 'calendar.special_hours_removed' : 'calendar.special_hours_set';
      return { hours: current.hours, specialHours: special, action, detail: { date, hours: checked } };
    });
  }

  /**
   * Changes a centre's calendar from what it holds now, the row locked meanwhile: two admins editing different
   * dates at once both keep their change.
   */
  private async write(
    user: AuthUser,
    centre: string,
    change: (current: CentreHoursView | null) => {
      hours: WorkingHours;
      specialHours: Record<string, Spans>;
      action: string;
      detail: Record<string, unknown>;
    },
  ): Promise<CentreHoursView> {
    const view = await this.dataSource.transaction(async (m) => {
      const [locked] = await m.query(`SELECT centre, hours, special_hours, updated_at FROM business_hours WHERE centre = $1 FOR UPDATE`, [
        centre,
      ]);
      const next = change(locked ? toView(locked) : null);
      // Hours for a code not yet on the list open a new VPVKAC centre under that code (renamed later in data).
      await m.query(`INSERT INTO centres (code, name, kind) VALUES ($1, $2, 'vpvkac') ON CONFLICT DO NOTHING`, [centre, centre]);
      const [row] = await m.query(
        `INSERT INTO business_hours (centre, hours, special_hours) VALUES ($1, $2::jsonb, $3::jsonb)
         ON CONFLICT (centre) DO UPDATE SET hours = EXCLUDED.hours, special_hours = EXCLUDED.special_hours, updated_at = now()
         RETURNING centre, hours, special_hours, updated_at`,
        [centre, JSON.stringify(next.hours), JSON.stringify(next.specialHours)],
      );
      await this.audit.record(
        [{ actorAgentId: user.id, action: next.action, subjectType: 'centre', subjectId: centre, detail: next.detail }],
        m,
      );
      return toView(row);
    });
    await this.changed([centre]);
    return view;
  }
}

const toView = (row: Record<string, any>): CentreHoursView => ({
  centre: row.centre,
  hours: row.hours,
  specialHours: row.special_hours ?? {},
  updatedAt: new Date(row.updated_at).toISOString(),
});

function centreCode(code: string): string {
  const centre = code.toUpperCase();
  if (!CENTRE.test(centre)) throw validationProblem([{ field: 'centre', code: 'invalid', message: 'centre must be 2-32 of A-Z 0-9 _ -' }]);
  return centre;
}

/** The shape of a list of [from, to] pairs; the times themselves are checked by the calendar, which knows the rules. */
function spansOf(value: unknown, field: string, errors: FieldError[]): Spans | null {
  const ok =
    Array.isArray(value) &&
    value.length <= 12 &&
    value.every((span) => Array.isArray(span) && span.length === 2 && span.every((t) => typeof t === 'string' && t.length <= 5));
  if (!ok) {
    errors.push({ field, code: 'invalid', message: `${field} must be a list of at most 12 ["HH:MM", "HH:MM"] pairs` });
    return null;
  }
  return value as Spans;
}

/** Each weekday's hours checked on their own, so that every mistake is named with its field. */
function checkWeek(input: Record<string, unknown>): WorkingHours {
  const errors: FieldError[] = [];
  const unknown = Object.keys(input).filter((k) => !(WEEKDAYS as readonly string[]).includes(k));
  for (const key of unknown)
    errors.push({ field: `hours.${key}`, code: 'unknown', message: `hours names the weekdays ${WEEKDAYS.join(', ')}` });
  const week = Object.fromEntries(WEEKDAYS.map((d) => [d, [] as Spans])) as unknown as Record<(typeof WEEKDAYS)[number], Spans>;
  for (const day of WEEKDAYS) {
    if (!(day in input)) {
      errors.push({ field: `hours.${day}`, code: 'required', message: `hours.${day} is required (an empty list when closed)` });
      continue;
    }
    const spans = spansOf(input[day], `hours.${day}`, errors);
    if (!spans) continue;
    try {
      new BusinessCalendar({ hours: { ...week, [day]: spans } });
      week[day] = spans;
    } catch (error) {
      errors.push({ field: `hours.${day}`, code: 'invalid', message: (error as Error).message });
    }
  }
  if (errors.length > 0) throw validationProblem(errors);
  return week;
}

function checkSpecialDates(input: Record<string, unknown>, prefix = 'specialHours.'): Record<string, Spans> {
  const errors: FieldError[] = [];
  const dates = Object.keys(input);
  if (dates.length > MAX_SPECIAL_DATES)
    throw validationProblem([{ field: 'specialHours', code: 'tooMany', message: `at most ${MAX_SPECIAL_DATES} dates` }]);
  const out: Record<string, Spans> = {};
  for (const date of dates.sort()) {
    const field = prefix ? `${prefix}${date}` : 'hours';
    if (!/^20[2-9]\d-\d{2}-\d{2}$/.test(date)) {
      errors.push({ field: prefix ? field : 'date', code: 'invalid', message: 'a date is YYYY-MM-DD, in 2020-2099' });
      continue;
    }
    const spans = spansOf(input[date], field, errors);
    if (!spans) continue;
    try {
      new BusinessCalendar({ specialHours: { [date]: spans } });
      out[date] = spans;
    } catch (error) {
      errors.push({
        field: prefix ? field : /not a date/.test((error as Error).message) ? 'date' : 'hours',
        code: 'invalid',
        message: (error as Error).message,
      });
    }
  }
  if (errors.length > 0) throw validationProblem(errors);
  return out;
}
