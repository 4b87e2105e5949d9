import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { LANGUAGES, type Language } from '../../tickets/entities/ticket.entity';
import { PageQuery } from '../../common/page-query';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const trimAll = ({ value }: { value: unknown }) =>
  Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.trim() : v)) : value;

export class CreateKnowledgeArticleDto {
  @ApiProperty({ type: [String], example: ['Kā pieteikties bezdarbnieka pabalstam?', 'Kur iesniegt bezdarbnieka pabalsta iesniegumu?'] })
  @Transform(trimAll)
  @ArrayMinSize(1, { message: 'questions must hold at least one wording of the question' })
  @ArrayMaxSize(30)
  @IsString({ each: true })
  @MinLength(3, { each: true, message: 'each question must be at least 3 characters' })
  @MaxLength(500, { each: true })
  questions: string[];

  @ApiProperty({ example: 'Bezdarbnieka pabalstu piešķir VSAA...' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  answer: string;

  @ApiProperty({ enum: LANGUAGES })
  @IsIn(LANGUAGES)
  language: Language;

  @ApiPropertyOptional({ example: 'VSAA', description: 'Institution code; leave out for what the centre answers for everyone' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'institution must be an institution code' })
  institution?: string | null;

  @ApiPropertyOptional({ example: 'pabalsti' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(100)
  topic?: string | null;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  published?: boolean;
}

export class UpdateKnowledgeArticleDto extends PartialType(CreateKnowledgeArticleDto) {}

export class ListKnowledgeArticlesQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'VSAA' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/)
  institution?: string;

  @ApiPropertyOptional({ enum: LANGUAGES })
  @IsOptional()
  @IsIn(LANGUAGES)
  language?: Language;

  @ApiPropertyOptional({ description: 'true: published only; false: drafts only' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  published?: boolean;
}

export class KnowledgeSearchQuery {
  @ApiProperty({ example: 'kā saņemt bezdarbnieka pabalstu', description: 'What the customer asked, as they asked it' })
  @Transform(trim)
  @IsString()
  @MinLength(2)
  @MaxLength(500)
  q: string;

  @ApiPropertyOptional({ enum: LANGUAGES, description: 'Only articles in this language' })
  @IsOptional()
  @IsIn(LANGUAGES)
  language?: Language;

  @ApiPropertyOptional({ example: 'VSAA', description: "This institution's articles and the centre's general ones" })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'institution must be an institution code' })
  institution?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 20, default: 5 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(20)
  limit?: number;
}
