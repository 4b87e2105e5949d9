import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';

/** Filters of the audit trail; keyset paging newest first, like /v1/tickets. */
export class ListAuditQuery {
  @ApiPropertyOptional({ description: 'the member of staff who acted (agent id)' })
  @IsOptional()
  @IsUUID()
  actor?: string;

  @ApiPropertyOptional({ description: 'a customer record (id): events about it and about its tickets' })
  @IsOptional()
  @IsUUID()
  person?: string;

  @ApiPropertyOptional({ description: 'a ticket reference: events about the ticket' })
  @IsOptional()
  @Matches(/^[A-Z]{2,8}-\d{4}-\d{6,}$/, { message: 'ticket must be a ticket reference such as VP-2026-000123' })
  ticket?: string;

  @ApiPropertyOptional({ description: 'an action, or a prefix ending in * (e.g. privacy.*)' })
  @IsOptional()
  @Matches(/^[a-z0-9_.]{1,64}\*?$/, { message: 'action must be an action name such as attachment.read, or a prefix ending in *' })
  action?: string;

  @ApiPropertyOptional({ description: 'from this moment (ISO 8601), inclusive' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'until this moment (ISO 8601), exclusive' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 5000, description: 'default 50 (JSON) or 1000 (CSV)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  limit?: number;

  @ApiPropertyOptional({ enum: ['json', 'csv'] })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}
