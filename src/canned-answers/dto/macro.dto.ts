import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsInstitutionCode } from '../../common/validators';
import { PageQuery } from '../../common/page-query';
import { TICKET_KINDS } from '../../tickets/entities/ticket.entity';
import { SETTABLE_STATUSES } from '../../tickets/dto/ticket-actions.dto';
import { TAG_NAME, TAG_NAME_MESSAGE } from '../../tags/dto/tag.dto';
import { SHARING, Sharing } from './canned-answer.dto';

export class MacroEscalationDto {
  @ApiProperty({ example: 'VSAA-L2', description: 'The queue the ticket goes to (its level and institution follow from it)' })
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'queue must be a queue code' })
  queue: string;

  @ApiProperty({ example: 'Vajadzīgs VSAA speciālista lēmums' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason: string;
}

class MacroFields {
  @ApiPropertyOptional({ description: "Reply with this canned answer, its placeholders filled, in the ticket's language", nullable: true })
  @IsOptional()
  @IsUUID()
  cannedAnswerId?: string | null;

  @ApiPropertyOptional({ enum: SETTABLE_STATUSES, nullable: true })
  @IsOptional()
  @IsIn(SETTABLE_STATUSES)
  status?: (typeof SETTABLE_STATUSES)[number] | null;

  @ApiPropertyOptional({ enum: TICKET_KINDS, nullable: true })
  @IsOptional()
  @IsIn(TICKET_KINDS)
  kind?: (typeof TICKET_KINDS)[number] | null;

  @ApiPropertyOptional({ example: ['pensijas-parrekins'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Matches(TAG_NAME, { each: true, message: TAG_NAME_MESSAGE })
  tags?: string[];

  @ApiPropertyOptional({ type: MacroEscalationDto, nullable: true, description: 'Escalate (or transfer) to a queue, with the reason' })
  @IsOptional()
  @ValidateNested()
  @Type(() => MacroEscalationDto)
  escalation?: MacroEscalationDto | null;
}

export class CreateMacroDto extends MacroFields {
  @ApiProperty({ example: 'Pensijas pārrēķins: nodot VSAA' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ enum: SHARING, default: 'personal' })
  @IsOptional()
  @IsIn(SHARING)
  sharing?: Sharing;

  @ApiPropertyOptional({ example: 'VSAA' })
  @ValidateIf((o) => o.sharing === 'institution' || o.institution !== undefined)
  @IsInstitutionCode()
  institution?: string;
}

export class UpdateMacroDto extends MacroFields {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;
}

export class ListMacrosQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'VSAA', description: "Macros usable on this institution's tickets: its own, the centre's and yours" })
  @IsOptional()
  @IsInstitutionCode()
  institution?: string;
}

export class ApplyMacroDto {
  @ApiPropertyOptional({
    description: 'The newest message the person had seen: the reply is refused (409) when someone else replied since',
  })
  @IsOptional()
  @IsUUID()
  lastSeenMessageId?: string;

  @ApiPropertyOptional({ description: 'Send the reply even though someone else replied since' })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}
