import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import { IsInstitutionCode } from '../../common/validators';
import { PageQuery } from '../../common/page-query';
import { SHARING, Sharing } from '../../common/sharing';
import { ListTicketsQuery } from '../../tickets/dto/list-tickets.query';

/** The inbox list's filters, checked exactly as GET /v1/tickets checks them. */
export class ViewFiltersDto extends PickType(ListTicketsQuery, [
  'status',
  'level',
  'institution',
  'channel',
  'queue',
  'assignee',
  'q',
  'sla',
  'tag',
] as const) {}

export const VIEW_SORTS = ['created', 'sla_due', 'relevance'] as const;

export class CreateSavedViewDto {
  @ApiProperty({ example: 'VSAA: pensiju pārrēķini, kavēti' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({
    type: ViewFiltersDto,
    example: { institution: 'VSAA', tag: 'pensijas-parrekins', sla: 'breached' },
    description: "'assignee: me' means whoever opens the view",
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => ViewFiltersDto)
  filters?: ViewFiltersDto;

  @ApiPropertyOptional({ enum: VIEW_SORTS, default: 'created' })
  @IsOptional()
  @IsIn(VIEW_SORTS)
  sort?: (typeof VIEW_SORTS)[number];

  @ApiPropertyOptional({ enum: ['newest', 'oldest'], default: 'newest' })
  @IsOptional()
  @IsIn(['newest', 'oldest'])
  order?: 'newest' | 'oldest';

  @ApiPropertyOptional({
    enum: SHARING,
    default: 'personal',
    description: "personal: yours; institution: the institution's team and the centre's staff; centre: everyone",
  })
  @IsOptional()
  @IsIn(SHARING)
  sharing?: Sharing;

  @ApiPropertyOptional({ example: 'VSAA' })
  @ValidateIf((o) => o.sharing === 'institution' || o.institution !== undefined)
  @IsInstitutionCode()
  institution?: string;
}

export class UpdateSavedViewDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ type: ViewFiltersDto, description: 'Replaces the filters' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ViewFiltersDto)
  filters?: ViewFiltersDto;

  @ApiPropertyOptional({ enum: VIEW_SORTS })
  @IsOptional()
  @IsIn(VIEW_SORTS)
  sort?: (typeof VIEW_SORTS)[number];

  @ApiPropertyOptional({ enum: ['newest', 'oldest'] })
  @IsOptional()
  @IsIn(['newest', 'oldest'])
  order?: 'newest' | 'oldest';
}

export class ViewTicketsQuery extends PageQuery {}
