import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDefined, IsIn, IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { SUBJECT_REQUEST_KINDS, type SubjectRequestKind } from '../entities/subject-request.entity';
import { SUBJECT_IDENTIFIER_KINDS, type SubjectIdentifierKind } from '../subject-identifiers';

export class SubjectIdentifierDto {
  @ApiProperty({ enum: SUBJECT_IDENTIFIER_KINDS })
  @IsIn(SUBJECT_IDENTIFIER_KINDS)
  kind: SubjectIdentifierKind;

  @ApiProperty({ example: '121282-11210', description: 'as the person gives it; normalised the way contacts are stored' })
  @IsString()
  @MinLength(1)
  @MaxLength(320)
  value: string;
}

export class CreateSubjectRequestDto {
  @ApiProperty({ enum: SUBJECT_REQUEST_KINDS })
  @IsIn(SUBJECT_REQUEST_KINDS)
  kind: SubjectRequestKind;

  @ApiProperty({ type: SubjectIdentifierDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => SubjectIdentifierDto)
  identifier: SubjectIdentifierDto;

  @ApiPropertyOptional({
    type: [SubjectIdentifierDto],
    description:
      "more of the same person's identifiers, once the DPO has verified they are theirs (their e-mail address and phone " +
      'besides their personas kods): contacts are joined only on proof, so one identifier may not reach all of them',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => SubjectIdentifierDto)
  otherIdentifiers?: SubjectIdentifierDto[];

  @ApiProperty({ description: 'why, e.g. the request letter and how the person was identified' })
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason: string;
}

export class LegalHoldDto {
  @ApiProperty({ example: 'Complaint 2026/114 under review by the ombudsman' })
  @IsString()
  @MinLength(3)
  @MaxLength(2000)
  reason: string;
}
