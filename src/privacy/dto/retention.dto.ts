import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

export class UpdateRetentionPolicyDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 36500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(36500)
  keepDays?: number;

  @ApiPropertyOptional({ description: 'where the period comes from' })
  @IsOptional()
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  basis?: string;
}

export class RetentionPreviewQuery {
  @ApiPropertyOptional({ description: 'as of this moment (ISO 8601); default now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  asOf?: string;
}
