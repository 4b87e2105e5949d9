import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export class ReportRangeQuery {
  @ApiPropertyOptional({ example: '2026-01', description: 'First month (Riga time), YYYY-MM; default: this month' })
  @IsOptional()
  @Matches(MONTH, { message: 'from must be a month, YYYY-MM' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-03', description: 'Last month, inclusive; default: the first month' })
  @IsOptional()
  @Matches(MONTH, { message: 'to must be a month, YYYY-MM' })
  to?: string;

  @ApiPropertyOptional({ description: 'Only this institution (code)' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/)
  institution?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'csv: the same rows as CSV (also with Accept: text/csv)' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class FundingQuery {
  @ApiPropertyOptional({ example: '2026-03', description: 'The month (Riga time), YYYY-MM; default: last month' })
  @IsOptional()
  @Matches(MONTH, { message: 'month must be YYYY-MM' })
  month?: string;

  @ApiPropertyOptional({
    default: 'VPPPD',
    description: 'The centre, a code from GET /v1/calendar/centres: VPPPD (the remote line) or a VPVKAC centre such as VPVKAC-CESIS',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/)
  centre?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'] })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}
