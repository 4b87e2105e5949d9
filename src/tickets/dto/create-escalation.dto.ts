import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsInstitutionCode } from '../../common/validators';

export class CreateEscalationDto {
  @ApiProperty({ minimum: 1, maximum: 3, description: 'Higher than now escalates; lower hands back; equal transfers' })
  @IsInt()
  @Min(1)
  @Max(3)
  toLevel: number;

  @ApiPropertyOptional({ example: 'VID', description: "Defaults to the ticket's institution" })
  @IsOptional()
  @IsInstitutionCode()
  institution?: string;

  @ApiPropertyOptional({ example: 'VID-L2', description: "A specific queue; defaults to the institution's queue of that level" })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/)
  queue?: string;

  @ApiProperty({ example: 'Vajadzīgi dati no VID sistēmām' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason: string;

  @ApiPropertyOptional({ description: 'Up: what was done and what is needed. Down (required): the answer or instruction.' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  summary?: string;
}
