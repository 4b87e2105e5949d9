import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CUSTOM_FIELD_KEY, CUSTOM_FIELD_KEY_MESSAGE, CUSTOM_FIELD_TYPES, CustomFieldType, MAX_CHOICES } from '@lib/custom-fields';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsInstitutionCode } from '../../common/validators';

export class CustomFieldLabelsDto {
  @ApiProperty({ example: 'Lietas numurs' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  lv: string;

  @ApiProperty({ example: 'Case number' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  en: string;
}

export class CreateCustomFieldDto {
  @ApiProperty({ example: 'VSAA', description: 'The institution whose tickets carry the field' })
  @IsInstitutionCode()
  institution: string;

  @ApiProperty({ example: 'caseNumber', description: 'Its name in the API and the exports; fixed once created' })
  @IsString()
  @Matches(CUSTOM_FIELD_KEY, { message: CUSTOM_FIELD_KEY_MESSAGE })
  key: string;

  @ApiProperty({ type: CustomFieldLabelsDto })
  @IsObject()
  @ValidateNested()
  @Type(() => CustomFieldLabelsDto)
  labels: CustomFieldLabelsDto;

  @ApiProperty({ enum: CUSTOM_FIELD_TYPES, description: 'Fixed once created: the values already given are of this type' })
  @IsIn(CUSTOM_FIELD_TYPES)
  type: CustomFieldType;

  @ApiPropertyOptional({ example: ['piešķirts', 'atteikts'], description: 'For a choice field: the values it takes, each once' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_CHOICES)
  @IsString({ each: true })
  choices?: string[];

  @ApiPropertyOptional({ description: 'A ticket of the institution cannot be saved without it (default false)' })
  @IsOptional()
  @IsBoolean()
  required?: boolean;

  @ApiPropertyOptional({ description: 'Switched off: not shown for new values, values given stay (default true)' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ description: 'Order on the ticket, smallest first (default 0, then by key)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10000)
  position?: number;
}

export class UpdateCustomFieldDto {
  @ApiPropertyOptional({ type: CustomFieldLabelsDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CustomFieldLabelsDto)
  labels?: CustomFieldLabelsDto;

  @ApiPropertyOptional({ description: 'For a choice field; values already given keep their choice' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_CHOICES)
  @IsString({ each: true })
  choices?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  required?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10000)
  position?: number;
}

export class ListCustomFieldsQuery {
  @ApiPropertyOptional({ example: 'VSAA', description: "Only this institution's fields" })
  @IsOptional()
  @IsInstitutionCode()
  institution?: string;
}

export class SetCustomFieldValuesDto {
  @ApiProperty({
    example: { caseNumber: 'VSAA-2026-17', decidedOn: '2026-12-01', outcome: 'piešķirts' },
    description:
      "Every value of the ticket by key (the ticket's institution's fields): text and dates (YYYY-MM-DD) and choices as strings, numbers as numbers; " +
      'a field left out or null has no value. Each refusal is at values.<key>.',
  })
  @IsObject()
  values: Record<string, unknown>;
}
