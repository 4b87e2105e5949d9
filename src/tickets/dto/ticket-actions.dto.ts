import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { PRIORITIES, TICKET_KINDS } from '../entities/ticket.entity';

export class CreateNoteDto {
  @ApiProperty({ example: 'Zvanīju klientam, neatbild. Mēģināšu rīt.' })
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  text: string;
}

export class AssignDto {
  @ApiProperty({ description: 'The agent who takes the ticket' })
  @IsUUID()
  agentId: string;

  @ApiPropertyOptional({ description: 'Take it from whoever holds it now' })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class ClaimDto {
  @ApiPropertyOptional({ description: 'Take it from whoever holds it now' })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

/** Statuses a person sets; new and bot belong to level 0, assigned follows from an assignment. */
export const SETTABLE_STATUSES = ['queued', 'pending_customer', 'pending_institution', 'resolved', 'closed'] as const;

export class UpdateTicketDto {
  @ApiPropertyOptional({ enum: SETTABLE_STATUSES })
  @IsOptional()
  @IsIn(SETTABLE_STATUSES)
  status?: (typeof SETTABLE_STATUSES)[number];

  @ApiPropertyOptional({ enum: TICKET_KINDS })
  @IsOptional()
  @IsIn(TICKET_KINDS)
  kind?: (typeof TICKET_KINDS)[number];

  @ApiPropertyOptional({ example: 'pensijas' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  topic?: string;

  @ApiPropertyOptional({ enum: PRIORITIES })
  @IsOptional()
  @IsIn(PRIORITIES)
  priority?: (typeof PRIORITIES)[number];
}

export class MergeDto {
  @ApiProperty({ example: 'VP-2026-000123', description: 'The ticket that takes the messages; this one is closed' })
  @Matches(/^[A-Za-z]{1,5}-\d{4}-\d{6,15}$/, { message: 'into must be a ticket reference such as VP-2026-000123' })
  into: string;
}

export class LinkCustomerDto {
  @ApiProperty({ description: 'The customer this contact belongs to (e.g. an anonymous caller identified later)' })
  @IsUUID()
  customerId: string;
}
