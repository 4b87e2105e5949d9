import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_ATTACHMENTS } from '@lib/attachments';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsBase64Content, IsE164Phone, IsInstitutionCode, IsPersonalCode } from '../../../common/validators';

export const WEBFORM_KINDS = ['question', 'suggestion', 'complaint', 'application'] as const;

export class WebformApplicantDto {
  @ApiProperty({ example: 'Jānis' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  firstName: string;

  @ApiProperty({ example: 'Bērziņš' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  lastName: string;

  @ApiPropertyOptional({ example: '121282-11210', description: 'Personas kods, old (DDMMYY-CNNNN) or new (32…) form' })
  @IsOptional()
  @IsPersonalCode()
  personalCode?: string;

  @ApiPropertyOptional({ example: 'janis@example.lv' })
  @IsOptional()
  @IsEmail({ allow_display_name: false, require_tld: true })
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: '+37120000000', description: 'E.164' })
  @IsOptional()
  @IsE164Phone()
  phone?: string;

  @ApiPropertyOptional({ description: 'Reply to the official e-address (needs personalCode)' })
  @IsOptional()
  @IsBoolean()
  eAddress?: boolean;

  @ApiPropertyOptional({
    description:
      'The portal signed the applicant in with an eID means (eParaksts, eID card, bank): their personalCode is verified. ' +
      "Only a verified personas kods joins the submission to the person's earlier contacts; the e-mail and phone are " +
      'always taken as given, not verified.',
  })
  @IsOptional()
  @IsBoolean()
  authenticated?: boolean;
}

export class WebformAttachmentDto {
  @ApiProperty({ example: 'iesniegums.pdf' })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  filename: string;

  @ApiProperty({ example: 'application/pdf', description: 'Informative only: the type is detected from the content' })
  @IsString()
  @MaxLength(255)
  contentType: string;

  @ApiProperty({ description: 'The file, base64' })
  @IsString()
  @IsBase64Content()
  contentBase64: string;
}

export class WebformSubmissionDto {
  @ApiProperty({ example: 'LV-2026-11-25-000042', description: "The portal's id of the submission: the idempotency key" })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, { message: 'submissionId must be 1-128 letters, digits, . _ : -' })
  submissionId: string;

  @ApiProperty({ example: '2026-11-25T10:15:00+02:00' })
  @IsISO8601({ strict: true, strictSeparator: true })
  submittedAt: string;

  @ApiProperty({ enum: WEBFORM_KINDS })
  @IsIn(WEBFORM_KINDS)
  form: (typeof WEBFORM_KINDS)[number];

  @ApiPropertyOptional({ example: 'VSAA', description: 'Institution code' })
  @IsOptional()
  @IsInstitutionCode()
  institution?: string;

  @ApiPropertyOptional({ example: 'pensijas' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  topic?: string;

  @ApiPropertyOptional({ enum: ['lv', 'ru', 'en'], default: 'lv' })
  @IsOptional()
  @IsIn(['lv', 'ru', 'en'])
  language?: 'lv' | 'ru' | 'en';

  @ApiProperty({ type: WebformApplicantDto })
  @ValidateNested()
  @Type(() => WebformApplicantDto)
  applicant: WebformApplicantDto;

  @ApiProperty({ example: 'Par vecuma pensiju' })
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  subject: string;

  @ApiProperty({ example: 'Labdien! Kā pieteikties vecuma pensijai?' })
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  message: string;

  @ApiPropertyOptional({ type: [WebformAttachmentDto], maxItems: MAX_ATTACHMENTS })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ATTACHMENTS)
  @ValidateNested({ each: true })
  @Type(() => WebformAttachmentDto)
  attachments?: WebformAttachmentDto[];
}

export class WebformAcceptedDto {
  @ApiProperty({ example: 'VP-2026-000123' })
  reference: string;

  @ApiProperty({ enum: ['accepted', 'processed', 'failed'] })
  status: string;
}
