import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../../common/page-query';
import { CHANNELS, LANGUAGES } from '../../tickets/entities/ticket.entity';

export class SearchCustomersQuery extends PageQuery {
  @ApiProperty({ example: 'Bērziņš', description: 'Words of the name (any form of diacritics), or exactly an e-mail address, a phone number in any format or a personas kods' })
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
