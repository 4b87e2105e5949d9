import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { formatReference, referenceSequenceName, referenceYear } from '@lib/ticket-reference';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';

/**
 * Hands out public references from one PostgreSQL sequence per year. A sequence never blocks concurrent
 * callers and never repeats a number; a number lost with a rolled-back transaction leaves only a gap.
 */
@Injectable()
export class TicketReferenceService {
  private readonly knownYears = new Set<number>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async next(count = 1, at = new Date(), manager: EntityManager = this.dataSource.manager): Promise<string[]> {
    if (count === 0) return [];
    const year = referenceYear(at);
    const sequence = await this.ensureSequence(year);
    const rows: Array<{ n: string }> = await manager.query('SELECT nextval($1::regclass) AS n FROM generate_series(1, $2)', [
      sequence,
      count,
    ]);
    return rows.map((r) => formatReference(this.config.TICKET_REFERENCE_PREFIX, year, Number(r.n)));
  }

  /**
   * A SQL expression that draws the next reference of `at`'s year, once per row it is evaluated for, formatted as
   * formatReference formats it (checked against it here): a statement that inserts rows can number them itself
   * instead of asking for the numbers in a statement of its own. Call ensureSequence for the year first.
   */
  referenceSql(at = new Date()): string {
    const year = referenceYear(at);
    const head = formatReference(this.config.TICKET_REFERENCE_PREFIX, year, 1).slice(0, -'000001'.length);
    // The prefix is [A-Z]{1,5} and the year four digits (formatReference refuses anything else), so both are literal-safe.
    // nextval appears once, in the select list, so it is drawn per row (a subquery would be run once for all rows).
    // Padded to 20 digits, then up to 14 leading zeros dropped: at least six digits, and longer numbers whole.
    return `('${head}' || regexp_replace(lpad(nextval('${referenceSequenceName(year)}'::regclass)::text, 20, '0'), '^0{1,14}', ''))`;
  }

  /** The sequence of the year, created on first use (once a year, so the DDL is off the hot path). */
  async ensureSequence(year: number): Promise<string> {
    const name = referenceSequenceName(year);
    if (!this.knownYears.has(year)) {
      try {
        await this.dataSource.query(`CREATE SEQUENCE IF NOT EXISTS ${name} AS bigint START 1`);
      } catch (error) {
        // Two processes creating it at the same moment: IF NOT EXISTS does not cover that race, and the
        // loser's unique violation means the sequence now exists, which is all we need.
        if ((error as { driverError?: { code?: string } }).driverError?.code !== '23505') throw error;
      }
      this.knownYears.add(year);
    }
    return name;
  }
}
