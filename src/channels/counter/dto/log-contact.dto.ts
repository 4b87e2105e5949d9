import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { IsE164Phone, IsInstitutionCode, IsPersonalCode } from '../../../common/validators';
import { TICKET_KINDS } from '../../../tickets/entities/ticket.entity';

export class ContactCustomerDto {
  @ApiPropertyOptional({ example: 'Jānis' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  firstName?: string;

  @ApiPropertyOptional({ example: 'Bērziņš' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  lastName?: string;

  @ApiPropertyOptional({ example: '121282-11210' })
  @IsOptional()
  @IsPersonalCode()
  personalCode?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: '+37120000000' })
  @IsOptional()
  @IsE164Phone()
  phone?: string;
}

export class LogContactDto {
  @ApiProperty({ enum: ['counter', 'phone'], description: 'A visit to a VPVKAC counter, or a call to a direct line' })
  @IsIn(['counter', 'phone'])
  channel: 'counter' | 'phone';

  @ApiPropertyOptional({ example: 'VSAA' })
  @IsOptional()
  @IsInstitutionCode()
  institution?: string;

  @ApiProperty({ enum: TICKET_KINDS, description: 'application or consultation for the ministry figures' })
  @IsIn(TICKET_KINDS)
  kind: (typeof TICKET_KINDS)[number];

  @ApiPropertyOptional({ example: 'pensijas' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  topic?: string;

  @ApiPropertyOptional({ enum: ['lv', 'ru', 'en'], default: 'lv' })
  @IsOptional()
  @IsIn(['lv', 'ru', 'en'])
  language?: 'lv' | 'ru' | 'en';

  @ApiProperty({ example: 'Iesniegums vecuma pensijai' })
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  subject: string;

  @ApiProperty({ example: 'Palīdzēju aizpildīt iesniegumu portālā.' })
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  text: string;

  @ApiPropertyOptional({ type: ContactCustomerDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ContactCustomerDto)
  customer?: ContactCustomerDto;

  @ApiPropertyOptional({ description: 'When the contact happened (default: now); not in the future' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  occurredAt?: string;

  @ApiPropertyOptional({ default: true, description: 'Served on the spot; false leaves the ticket open in its queue' })
  @IsOptional()
  @IsBoolean()
  resolved?: boolean;

  @ApiPropertyOptional({
    example: 'VPVKAC-CESIS',
    description:
      'The centre the contact was served at, a code from GET /v1/calendar/centres; the funding report counts the contact for it. ' +
      'Default: the centre `location` names (its code, name or town before the first comma), else the centre of the person logging it',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{2,32}$/, { message: 'centre must be a centre code such as VPVKAC-CESIS' })
  centre?: string;

  @ApiPropertyOptional({
    example: 'VPVKAC Cēsis, Raunas iela 4',
    description: 'Free text kept with the contact as written (older clients send only this)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  location?: string;
}
