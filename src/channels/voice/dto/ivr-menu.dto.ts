import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MENU_LANGUAGES, NODE_KINDS } from '@lib/ivr-menu';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

const isLanguageMap = (value: unknown, check: (v: unknown) => boolean) =>
  !!value &&
  typeof value === 'object' &&
  !Array.isArray(value) &&
  Object.entries(value).every(([k, v]) => (MENU_LANGUAGES as readonly string[]).includes(k) && check(v));

const IsTitles = () =>
  ValidateBy({
    name: 'isTitles',
    validator: {
      validate: (v) => isLanguageMap(v, (t) => typeof t === 'string' && t.length <= 200),
      defaultMessage: () => 'title maps lv, en, ru to a text of at most 200 characters',
    },
  });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const IsPrompts = () =>
  ValidateBy({
    name: 'isPrompts',
    validator: {
      validate: (v) =>
        isLanguageMap(v, (p) => {
          if (!p || typeof p !== 'object' || Array.isArray(p)) return false;
          const { text, audioUrl, articleId, ...rest } = p as Record<string, unknown>;
          return (
            Object.keys(rest).length === 0 &&
            (text === undefined || (typeof text === 'string' && text.length <= 4000)) &&
            (audioUrl === undefined || (typeof audioUrl === 'string' && audioUrl.length <= 2000)) &&
            (articleId === undefined || (typeof articleId === 'string' && UUID.test(articleId)))
          );
        }),
      defaultMessage: () =>
        'prompt maps lv, en, ru to { text?: at most 4000 characters, audioUrl?: an https URL, articleId?: a knowledge-base article id }',
    },
  });

export class IvrNodeDto {
  @ApiProperty({ example: 'vid-opening-hours', description: 'Stable name (used in the URLs given to Twilio)' })
  @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: 'key is 1-64 lower-case letters, digits and dashes' })
  key: string;

  @ApiProperty({ example: 'vid', nullable: true, description: 'null for the main menu' })
  @ValidateIf((_, v) => v !== null)
  @IsString()
  parentKey: string | null;

  @ApiProperty({ example: '2', nullable: true, description: '1-9 within the parent; null for the main menu' })
  @ValidateIf((_, v) => v !== null)
  @Matches(/^[0-9*#]$/, { message: 'digit is one key of the keypad' })
  digit: string | null;

  @ApiProperty({ enum: NODE_KINDS })
  @IsIn(NODE_KINDS)
  kind: (typeof NODE_KINDS)[number];

  @ApiPropertyOptional({ example: 'VID', nullable: true })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/)
  institutionCode?: string | null;

  @ApiPropertyOptional({ example: 'opening-hours', nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  topic?: string | null;

  @ApiProperty({ example: { lv: 'klientu apkalpošanas centru darba laiks', en: 'opening hours' } })
  @IsTitles()
  title: Partial<Record<(typeof MENU_LANGUAGES)[number], string>>;

  @ApiProperty({
    example: { lv: { text: 'Centri strādā darbdienās no 8.30 līdz 16.30.' }, en: { audioUrl: 'https://cdn.example.lv/ivr/hours-en.mp3' } },
  })
  @IsPrompts()
  prompt: Partial<Record<(typeof MENU_LANGUAGES)[number], { text?: string; audioUrl?: string }>>;
}

export class IvrMenuDto {
  @ApiProperty({ type: [IvrNodeDto] })
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => IvrNodeDto)
  nodes: IvrNodeDto[];
}
