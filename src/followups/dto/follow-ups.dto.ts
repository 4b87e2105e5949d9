import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';

export class SnoozeDto {
  @ApiPropertyOptional({
    example: '2026-12-07T08:30:00+02:00',
    description: 'Wake at this time (in the future); with or instead of untilReply',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'until must be an ISO 8601 date and time' })
  until?: string;

  @ApiPropertyOptional({ description: 'Wake when the customer writes (also when `until` comes first, if given)' })
  @IsOptional()
  @IsBoolean()
  untilReply?: boolean;

  @ApiPropertyOptional({ example: 'Gaidām VID atbildi' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string;
}

export class CreateReminderDto {
  @ApiProperty({ example: '2026-12-07T09:00:00+02:00', description: 'When to remind you (in the future)' })
  @IsISO8601({ strict: true }, { message: 'at must be an ISO 8601 date and time' })
  at: string;

  @ApiProperty({ example: 'Piezvanīt klientam par izziņu' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  note: string;
}

export class AutoClosePolicyDto {
  @ApiPropertyOptional({ description: "The institution's id; absent or null for the centre-wide default" })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsUUID()
  institutionId?: string | null;

  @ApiProperty({ description: 'Close tickets left pending the customer at all' })
  @IsBoolean()
  enabled: boolean;

  @ApiProperty({ minimum: 1, maximum: 60, example: 10, description: 'Working days (Latvian calendar) after the wait began' })
  @IsInt()
  @Min(1)
  @Max(60)
  workingDays: number;
}
