import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class CreateAdjustmentDto {
  @ApiProperty({ enum: ['transfer', 'holiday'] })
  @IsIn(['transfer', 'holiday'])
  kind: 'transfer' | 'holiday';

  @ApiProperty({ example: '2026-01-02', description: 'The day off (a transfer) or the holiday' })
  @Matches(DATE, { message: 'date must be YYYY-MM-DD' })
  @IsISO8601({ strict: true })
  date: string;

  @ApiPropertyOptional({ example: '2026-01-17', description: 'For a transfer: the day worked instead' })
  @IsOptional()
  @Matches(DATE, { message: 'workedOn must be YYYY-MM-DD' })
  @IsISO8601({ strict: true })
  workedOn?: string;

  @ApiPropertyOptional({ example: 'MK rīkojums Nr. …' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  name?: string;

  @ApiPropertyOptional({ description: 'On a weekend, the next working day is off (Song and Dance Festival closing day)' })
  @IsOptional()
  @IsBoolean()
  weekendMoves?: boolean;
}

export class HolidaysQuery {
  @ApiProperty({ example: 2026 })
  @Type(() => Number)
  @IsInt()
  @Min(2020)
  @Max(2100)
  year: number;
}

export class WorkingDaysQuery {
  @ApiProperty({ example: '2026-11-25' })
  @Matches(DATE, { message: 'from must be YYYY-MM-DD' })
  @IsISO8601({ strict: true })
  from: string;

  @ApiProperty({ example: 10, description: 'Working days to add (the Submissions Law answers within 10)' })
  @Type(() => Number)
  @IsInt()
  @Min(-366)
  @Max(366)
  add: number;
}
