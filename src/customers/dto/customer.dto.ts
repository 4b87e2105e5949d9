import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { PageQuery } from '../../common/page-query';
import { CHANNELS, LANGUAGES } from '../../tickets/entities/ticket.entity';

export class SearchCustomersQuery extends PageQuery {
  @ApiProperty({
    example: 'Bērziņš',
    description:
      'Words of the name (any form of diacritics), or exactly an e-mail address, a phone number in any format or a personas kods',
  })
  @IsString()
  @MinLength(2)
  @MaxLength(200)
  q: string;
}

export class UpdateCustomerDto {
  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  firstName?: string | null;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  lastName?: string | null;

  @ApiPropertyOptional({ enum: LANGUAGES, nullable: true })
  @IsOptional()
  @IsIn(LANGUAGES)
  preferredLanguage?: string | null;

  @ApiPropertyOptional({ enum: CHANNELS, nullable: true, description: 'The channel the person prefers to be answered on' })
  @IsOptional()
  @IsIn(CHANNELS)
  preferredChannel?: string | null;
}

/** What staff link to a person by hand, having verified it with them. */
export const LINKABLE_KINDS = ['email', 'phone', 'personal_code', 'e_address'] as const;

export class LinkIdentifierDto {
  @ApiProperty({ enum: LINKABLE_KINDS })
  @IsIn(LINKABLE_KINDS)
  kind: (typeof LINKABLE_KINDS)[number];

  @ApiProperty({ example: '+37120000001' })
  @IsString()
  @MinLength(1)
  @MaxLength(320)
  value: string;
}

export class MergeCustomerDto {
  @ApiProperty({ description: 'The other record of the same person: its tickets and identifiers move to this one' })
  @IsUUID()
  from: string;
}

export class SplitIdentifierDto {
  @ApiProperty({ example: 'email' })
  @IsString()
  @MaxLength(32)
  kind: string;

  @ApiProperty({ example: 'other.person@example.lv' })
  @IsString()
  @MaxLength(320)
  value: string;
}

export class SplitCustomerDto {
  @ApiPropertyOptional({ type: [SplitIdentifierDto], description: "Identifiers that are the other person's" })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => SplitIdentifierDto)
  identifiers?: SplitIdentifierDto[];

  @ApiPropertyOptional({ example: ['VP-2026-000123'], description: "Tickets that are the other person's" })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @Matches(/^[A-Za-z]{1,5}-\d{4}-\d{6,15}$/, { each: true, message: 'tickets must be references such as VP-2026-000123' })
  tickets?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  firstName?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  lastName?: string;
}
