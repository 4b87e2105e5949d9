import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { TAG_NAME, TAG_NAME_MESSAGE } from '../../tags/dto/tag.dto';
import { IsInstitutionCode } from '../../common/validators';

export class AddTicketTagsDto {
  @ApiProperty({ example: ['pensijas-parrekins'], description: "Names of the centre's tags or of the ticket's institution's" })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  @Matches(TAG_NAME, { each: true, message: TAG_NAME_MESSAGE })
  tags: string[];
}

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export class TagReportQuery {
  @ApiPropertyOptional({ example: '2026-11-01', description: 'First day (Riga time), YYYY-MM-DD; default: the first of this month' })
  @IsOptional()
  @Matches(DAY, { message: 'from must be a date, YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-30', description: 'Last day, inclusive; default: today' })
  @IsOptional()
  @Matches(DAY, { message: 'to must be a date, YYYY-MM-DD' })
  to?: string;

  @ApiPropertyOptional({ description: 'Only tickets of this institution (code)' })
  @IsOptional()
  @IsInstitutionCode()
  institution?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'] })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}
