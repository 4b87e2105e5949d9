import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsObject, IsOptional } from 'class-validator';

const SPANS_EXAMPLE = [['08:30', '17:00']];

export class PutCentreHoursDto {
  @ApiProperty({
    description:
      'Riga wall-clock hours per weekday, every weekday named; an empty list is closed, "24:00" is midnight at the end of the day',
    example: {
      mon: SPANS_EXAMPLE,
      tue: SPANS_EXAMPLE,
      wed: SPANS_EXAMPLE,
      thu: SPANS_EXAMPLE,
      fri: [['08:30', '15:30']],
      sat: [],
      sun: [],
    },
  })
  @IsObject()
  hours: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'Dates whose hours replace the usual ones (also on a holiday); an empty list shuts the centre that day',
    example: { '2026-12-24': [], '2027-06-05': [['09:00', '13:00']] },
  })
  @IsOptional()
  @IsObject()
  specialHours?: Record<string, unknown>;
}

export class PutSpecialHoursDto {
  @ApiProperty({ description: 'The hours of that date; an empty list shuts the centre that day', example: [['10:00', '14:00']] })
  @IsArray()
  hours: unknown[];
}
