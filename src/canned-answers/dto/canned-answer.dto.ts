import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsNotEmptyObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsInstitutionCode } from '../../common/validators';
import { PageQuery } from '../../common/page-query';

import { SHARING, type Sharing } from '../../common/sharing';

export { SHARING };
export type { Sharing };

const PLACEHOLDER_HELP =
  'Placeholders: {{customer.name}}, {{ticket.reference}}, {{ticket.answerDate}} (the legal answer date), {{institution.contact}}';

export class AnswerTextsDto {
  @ApiPropertyOptional({
    example: 'Labdien, {{customer.name}}! Jūsu iesniegums {{ticket.reference}} saņemts; atbildēsim līdz {{ticket.answerDate}}.',
    nullable: true,
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  lv?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  ru?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  en?: string | null;
}

export class CreateCannedAnswerDto {
  @ApiProperty({ example: 'Iesniegums saņemts' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title: string;

  @ApiProperty({ type: AnswerTextsDto, description: `The answer in Latvian, Russian and/or English (at least one). ${PLACEHOLDER_HELP}` })
  @IsNotEmptyObject()
  @ValidateNested()
  @Type(() => AnswerTextsDto)
  texts: AnswerTextsDto;

  @ApiPropertyOptional({
    enum: SHARING,
    default: 'personal',
    description: "personal: yours only; institution: everyone who works that institution's tickets; centre: everyone",
  })
  @IsOptional()
  @IsIn(SHARING)
  sharing?: Sharing;

  @ApiPropertyOptional({ example: 'VSAA', description: 'The institution (sharing: institution)' })
  @ValidateIf((o) => o.sharing === 'institution' || o.institution !== undefined)
  @IsInstitutionCode()
  institution?: string;
}

export class UpdateCannedAnswerDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({
    type: AnswerTextsDto,
    description: `Languages given replace the text; null removes that language. ${PLACEHOLDER_HELP}`,
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => AnswerTextsDto)
  texts?: AnswerTextsDto;
}

export class ListCannedAnswersQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Words of the title' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: SHARING })
  @IsOptional()
  @IsIn(SHARING)
  sharing?: Sharing;

  @ApiPropertyOptional({
    example: 'VSAA',
    description: "The answers usable on this institution's tickets: its own, the centre's and yours",
  })
  @IsOptional()
  @IsInstitutionCode()
  institution?: string;
}

export class UseCannedAnswerDto {
  @ApiProperty({ example: 'VP-2026-000123', description: 'The ticket the answer is for: its placeholders are filled from it' })
  @Matches(/^[A-Za-z]{1,5}-\d{4}-\d{6,15}$/, { message: 'reference must be a ticket reference such as VP-2026-000123' })
  reference: string;

  @ApiPropertyOptional({ enum: ['lv', 'ru', 'en'], description: "Default: the ticket's language" })
  @IsOptional()
  @IsIn(['lv', 'ru', 'en'])
  language?: 'lv' | 'ru' | 'en';
}

export class UsageQuery {
  @ApiPropertyOptional({ example: '2026-11-01', description: 'First day (Riga time); default: 30 days ago' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'from must be a date, YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-30', description: 'Last day, inclusive; default: today' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'to must be a date, YYYY-MM-DD' })
  to?: string;
}

export class CannedAnswerIdDto {
  @IsUUID()
  id: string;
}
