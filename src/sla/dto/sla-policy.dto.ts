import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { TARGET_UNITS, TargetUnit } from '@lib/sla-clock';
import { CHANNELS, PRIORITIES } from '../../tickets/entities/ticket.entity';
import type { BreachAction } from '../entities/sla-policy.entity';

export class SlaTargetDto {
  @ApiProperty({ example: 10, description: 'Seconds for calendar_seconds/business_seconds, days for working_days, months for months' })
  @IsInt()
  @Min(1)
  @Max(10 * 365 * 24 * 3600)
  value: number;

  @ApiProperty({ enum: TARGET_UNITS })
  @IsIn(TARGET_UNITS)
  unit: TargetUnit;
}

export class BreachActionDto {
  @ApiProperty({ enum: ['raise_priority', 'reroute', 'escalate'] })
  @IsIn(['raise_priority', 'reroute', 'escalate'])
  type: BreachAction['type'];

  @ApiPropertyOptional({ enum: ['normal', 'high', 'urgent'], description: 'raise_priority: the priority to raise to' })
  @ValidateIf((a) => a.type === 'raise_priority')
  @IsIn(['normal', 'high', 'urgent'])
  to?: 'normal' | 'high' | 'urgent';

  @ApiPropertyOptional({ description: 'reroute: the queue code to move the ticket to' })
  @ValidateIf((a) => a.type === 'reroute')
  @Matches(/^[A-Za-z0-9_-]{1,64}$/)
  queue?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 3, description: "escalate: the support level (the ticket's institution's queue)" })
  @ValidateIf((a) => a.type === 'escalate')
  @IsInt()
  @Min(1)
  @Max(3)
  level?: 1 | 2 | 3;
}

export class SlaPolicyDto {
  @ApiProperty({ example: 'Iesniegums (e-pasts), 2. līmenis' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @ApiPropertyOptional({ enum: ['case', 'referral'], default: 'case' })
  @IsOptional()
  @IsIn(['case', 'referral'])
  scope?: 'case' | 'referral';

  @ApiPropertyOptional({ enum: CHANNELS, nullable: true, description: 'null: any channel' })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: string | null;

  @ApiPropertyOptional({ minimum: 0, maximum: 3, nullable: true })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3)
  level?: number | null;

  @ApiPropertyOptional({ enum: PRIORITIES, nullable: true })
  @IsOptional()
  @IsIn(PRIORITIES)
  priority?: string | null;

  @ApiPropertyOptional({ description: 'Institution code; null: any institution', nullable: true })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/)
  institution?: string | null;

  @ApiPropertyOptional({ type: SlaTargetDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => SlaTargetDto)
  firstResponse?: SlaTargetDto | null;

  @ApiPropertyOptional({ type: SlaTargetDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => SlaTargetDto)
  nextResponse?: SlaTargetDto | null;

  @ApiPropertyOptional({ type: SlaTargetDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => SlaTargetDto)
  resolution?: SlaTargetDto | null;

  @ApiPropertyOptional({
    type: SlaTargetDto,
    nullable: true,
    description: 'The longer resolution target an operator may apply with a reason',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => SlaTargetDto)
  resolutionExtension?: SlaTargetDto | null;

  @ApiPropertyOptional({ minimum: 1, maximum: 99, default: 80 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(99)
  warningPercent?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 100, description: 'Share of contacts expected to meet the targets' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  goalPercent?: number;

  @ApiPropertyOptional({ type: [BreachActionDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5)
  @ValidateNested({ each: true })
  @Type(() => BreachActionDto)
  breachActions?: BreachAction[];

  @ApiPropertyOptional({ default: false, description: 'Warnings and breach notices may go out outside business hours' })
  @IsOptional()
  @IsBoolean()
  remindOutsideHours?: boolean;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class UpdateSlaPolicyDto extends PartialType(SlaPolicyDto) {}

export class SlaExtensionDto {
  @ApiProperty({ example: 'Vajadzīga informācija no VID', description: 'Why the answer needs longer (recorded)' })
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason: string;
}

export class SlaEventsQuery {
  @ApiPropertyOptional({ description: 'Only events after this one (the id of the last event seen, e.g. after a reconnect)' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'after must be an event id' })
  after?: string;

  @ApiPropertyOptional({ description: 'With order=newest: only events before this one (the nextCursor of the previous page)' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'before must be an event id' })
  before?: string;

  @ApiPropertyOptional({
    enum: ['oldest', 'newest'],
    default: 'oldest',
    description: 'newest: the latest first (a feed opened fresh), paged with before',
  })
  @IsOptional()
  @IsIn(['oldest', 'newest'])
  order?: 'oldest' | 'newest';

  @ApiPropertyOptional({ enum: ['warning', 'breached'] })
  @IsOptional()
  @IsIn(['warning', 'breached'])
  kind?: 'warning' | 'breached';

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
