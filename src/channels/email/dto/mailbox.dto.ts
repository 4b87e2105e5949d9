import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

export class CreateMailboxDto {
  @ApiProperty({ example: 'vid' })
  @Matches(/^[a-z0-9][a-z0-9_-]{0,63}$/, { message: 'name must be 1-64 lower-case letters, digits, _ or -' })
  name: string;

  @ApiProperty({ example: 'vid@pakalpojumi.example.lv', description: 'The address people write to; replies go out from it' })
  @IsEmail()
  address: string;

  @ApiPropertyOptional({ example: 'VID', description: 'Institution the mailbox belongs to' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/)
  institution?: string | null;

  @ApiProperty({ example: 'imap.example.lv' })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  host: string;

  @ApiProperty({ example: 993 })
  @IsInt()
  @Min(1)
  @Max(65535)
  port: number;

  @ApiProperty({ example: true })
  @IsBoolean()
  tls: boolean;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  username: string;

  @ApiProperty({ description: 'Stored for the reader; never returned' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password: string;

  @ApiPropertyOptional({ example: 'INBOX' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  folder?: string;

  @ApiPropertyOptional({ enum: ['flag', 'move'] })
  @IsOptional()
  @IsIn(['flag', 'move'])
  processedAction?: 'flag' | 'move';

  @ApiPropertyOptional({ example: 'Processed' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  processedFolder?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateMailboxDto extends PartialType(CreateMailboxDto) {}
