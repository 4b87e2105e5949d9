import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { BusinessCalendar, WorkingHours } from '@lib/business-calendar';
import { DataSource, EntityManager } from 'typeorm';
import { ProblemException, validationProblem } from '../common/problem';
import { returnedRows } from '../database/rows';

export const DEFAULT_CENTRE = 'VPPPD';
const TTL_MS = 30_000;

type Queryable = Pick<DataSource, 'query'>;

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
 * and working hours kept in PostgreSQL. Rebuilt at most every 30 s, and at once in the process that changed it.
 */
@Injectable()
export class CalendarService {
  private cached = new Map<string, { at: number; calendar: BusinessCalendar }>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * `db` is the caller's transaction when it holds one: taking a second pool connection while holding the first
   * starves the pool under load (every holder waits for a connection none of them gives back).
   */
  async calendar(centre = DEFAULT_CENTRE, db: Queryable = this.dataSource): Promise<BusinessCalendar> {
    const hit = this.cached.get(centre);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.calendar;
    const adjustments = await this.adjustments(db);
    const [hours] = await db.query('SELECT hours FROM business_hours WHERE centre = $1', [centre]);
    if (!hours) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No working hours for centre ${centre}.`);
    const calendar = new BusinessCalendar({
      hours: hours.hours as WorkingHours,
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

  async adjustments(db: Queryable = this.dataSource): Promise<AdjustmentView[]> {
    const rows: Array<Record<string, any>> = await db.query(
      `SELECT id, kind, to_char(date, 'YYYY-MM-DD') AS date, to_char(worked_on, 'YYYY-MM-DD') AS worked_on, name, weekend_moves
       FROM calendar_adjustments ORDER BY date, kind`,
    );
    return rows.map((r) => ({ id: r.id, kind: r.kind, date: r.date, workedOn: r.worked_on, name: r.name, weekendMoves: r.weekend_moves }));
  }

  async addAdjustment(input: { kind: 'transfer' | 'holiday'; date: string; workedOn?: string; name?: string; weekendMoves?: boolean }): Promise<AdjustmentView> {
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
    if (rows.length === 0) throw new ProblemException(HttpStatus.CONFLICT, 'conflict', 'Conflict', `A ${input.kind} on ${input.date} exists already.`);
    this.cached.clear();
    // Building the calendar checks the data as a whole (e.g. a transfer onto a day that is not a weekend day).
    try {
      await this.calendar();
    } catch (error) {
      await this.dataSource.query('DELETE FROM calendar_adjustments WHERE id = $1', [rows[0].id]);
      this.cached.clear();
      throw validationProblem([{ field: 'date', code: 'invalid', message: (error as Error).message }]);
    }
    return (await this.adjustments()).find((a) => a.id === rows[0].id)!;
  }

  async removeAdjustment(id: string): Promise<void> {
    const rows = returnedRows(await this.dataSource.query('DELETE FROM calendar_adjustments WHERE id = $1 RETURNING id', [id]));
    if (rows.length === 0) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No adjustment ${id}.`);
    this.cached.clear();
  }
}
