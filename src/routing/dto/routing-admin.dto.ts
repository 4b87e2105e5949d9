import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { LANGUAGES, CHANNELS } from '../../tickets/entities/ticket.entity';
import { ASSIGNMENT_STRATEGIES, AssignmentStrategy } from '../entities/queue.entity';

const CODE = /^[A-Z0-9_-]{1,64}$/i;
const INSTITUTION = /^[A-Za-z0-9_-]{1,32}$/;

export class CreateQueueDto {
  @ApiProperty({ example: 'VID-L1-RU' })
  @Matches(CODE, { message: 'code may hold letters, digits, _ and - (at most 64)' })
  code: string;

  @ApiProperty({ example: 'VID, krievu valodā' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ example: 'VID', description: 'The institution whose work waits here; none for a centre-wide queue' })
  @IsOptional()
  @Matches(INSTITUTION, { message: 'institution must be an institution code such as VID' })
  institution?: string;

  @ApiProperty({ minimum: 1, maximum: 3 })
  @IsInt()
  @Min(1)
  @Max(3)
  level: number;

  @ApiPropertyOptional({ enum: ASSIGNMENT_STRATEGIES, default: 'manual' })
  @IsOptional()
  @IsIn(ASSIGNMENT_STRATEGIES)
  strategy?: AssignmentStrategy;
}

export class UpdateQueueDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ enum: ASSIGNMENT_STRATEGIES })
  @IsOptional()
  @IsIn(ASSIGNMENT_STRATEGIES)
  strategy?: AssignmentStrategy;
}

export class CreateRoutingRuleDto {
  @ApiProperty({ description: 'Rules are tried from the lowest position up; the first that matches wins' })
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  position: number;

  @ApiPropertyOptional({ example: 'VID' })
  @IsOptional()
  @Matches(INSTITUTION, { message: 'institution must be an institution code such as VID' })
  institution?: string;

  @ApiPropertyOptional({ enum: LANGUAGES })
  @IsOptional()
  @IsIn(LANGUAGES)
  language?: string;

  @ApiPropertyOptional({ enum: CHANNELS })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: string;

  @ApiPropertyOptional({ example: 'deklarācijas' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  topic?: string;

  @ApiProperty({ example: 'VID-L1-RU', description: 'The queue a matching contact goes to' })
  @Matches(CODE, { message: 'queue must be a queue code' })
  queue: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class UpdateRoutingRuleDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  position?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(CODE, { message: 'queue must be a queue code' })
  queue?: string;
}
