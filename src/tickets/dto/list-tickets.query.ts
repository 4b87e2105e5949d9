import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { CHANNELS, SLA_STATES, TICKET_STATUSES } from '../entities/ticket.entity';
import { PageQuery } from '../../common/page-query';

export class ListTicketsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: TICKET_STATUSES })
  @IsOptional()
  @IsIn(TICKET_STATUSES)
  status?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 3 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(3)
  level?: number;

  @ApiPropertyOptional({ description: 'Institution code, e.g. VID' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/)
  institution?: string;

  @ApiPropertyOptional({ enum: CHANNELS })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: string;

  @ApiPropertyOptional({ description: 'Queue code, e.g. GENERAL or VSAA' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/)
  queue?: string;

  @ApiPropertyOptional({ description: "A customer's id: their tickets (those you may see), e.g. to merge one into another" })
  @IsOptional()
  @IsUUID()
  customer?: string;

  @ApiPropertyOptional({ description: "'me', 'none' (unassigned) or an agent id" })
  @IsOptional()
  @Matches(/^(me|none|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/, {
    message: "assignee must be 'me', 'none' or an agent id",
  })
  assignee?: string;

  @ApiPropertyOptional({
    description:
      'Search: words of any message, note or subject (Latvian word forms and missing diacritics found), customer names, ' +
      'attachment file names; an e-mail address, a phone number in any format or a reference exactly. Each item then ' +
      'carries `match` (score, field, snippet with highlight offsets).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ example: 'pensijas-parrekins', description: 'Only tickets with this tag' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  tag?: string;

  @ApiPropertyOptional({ enum: SLA_STATES, description: 'SLA state now: ok, warning (at risk), breached, met, paused' })
  @IsOptional()
  @IsIn(SLA_STATES)
  sla?: string;

  @ApiPropertyOptional({
    enum: ['exclude', 'include', 'only'],
    description: "Snoozed tickets: left out by default (included when listing a customer's tickets or searching), 'include' or 'only'",
  })
  @IsOptional()
  @IsIn(['exclude', 'include', 'only'])
  snoozed?: 'exclude' | 'include' | 'only';

  @ApiPropertyOptional({
    enum: ['created', 'sla_due', 'relevance'],
    default: 'created',
    description:
      "sla_due: the earliest due time first (then tickets with none); relevance: the best search match first among the newest 200 matches (needs q; sort=created reaches older ones); 'order' applies to created",
  })
  @IsOptional()
  @IsIn(['created', 'sla_due', 'relevance'])
  sort?: 'created' | 'sla_due' | 'relevance';

  @ApiPropertyOptional({ enum: ['newest', 'oldest'], default: 'newest' })
  @IsOptional()
  @IsIn(['newest', 'oldest'])
  order?: 'newest' | 'oldest';
}
