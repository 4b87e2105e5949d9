import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsInstitutionCode } from '../../common/validators';

/** Lower-case letters (Latvian ones too), digits and single dashes: a tag is typed in filters and links. */
export const TAG_NAME = /^[a-z0-9āčēģīķļņšūž]+(-[a-z0-9āčēģīķļņšūž]+)*$/;
export const TAG_NAME_MESSAGE = 'a tag is lower-case letters and digits joined by single dashes, e.g. pensijas-parrekins (at most 64)';

export class CreateTagDto {
  @ApiProperty({ example: 'pensijas-parrekins' })
  @IsString()
  @MaxLength(64)
  @Matches(TAG_NAME, { message: TAG_NAME_MESSAGE })
  name: string;

  @ApiPropertyOptional({
    example: 'VSAA',
    description: "The institution whose vocabulary it joins; none: the whole centre's, usable on every ticket",
  })
  @IsOptional()
  @IsInstitutionCode()
  institution?: string;

  @ApiPropertyOptional({ example: 'Pensijas pārrēķins pēc darba stāža precizēšanas' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class UpdateTagDto {
  @ApiPropertyOptional({ example: 'pensijas-parrekins', description: 'Renaming keeps the tag on every ticket that has it' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(TAG_NAME, { message: TAG_NAME_MESSAGE })
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class ListTagsQuery {
  @ApiPropertyOptional({ example: 'VSAA', description: "Only this institution's tags and the centre's" })
  @IsOptional()
  @IsInstitutionCode()
  institution?: string;
}
