import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { ROLES } from '../entities/agent.entity';

export class CreateAgentDto {
  @ApiProperty({ example: 'anna.ozola@vpppd.example' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'Anna Ozola' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  displayName: string;

  @ApiProperty({ description: 'At least 12 characters, not common, not the e-mail name' })
  @IsString()
  @MaxLength(1024)
  password: string;

  @ApiProperty({ enum: ROLES, isArray: true })
  @IsArray()
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles: Array<(typeof ROLES)[number]>;

  @ApiPropertyOptional({ example: ['VID'], description: 'Institutions a specialist or expert serves' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { each: true, message: 'each institution must be an institution code such as VID' })
  institutions?: string[];

  @ApiPropertyOptional({
    example: 'VPVKAC-CESIS',
    default: 'VPPPD',
    description: 'The centre the agent works for (GET /v1/calendar/centres): their work is its evidence in the funding report',
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{2,32}$/, { message: 'centre must be a centre code such as VPPPD or VPVKAC-CESIS' })
  centre?: string;

  @ApiPropertyOptional({ example: ['lv', 'ru'] })
  @IsOptional()
  @IsArray()
  @IsIn(['lv', 'ru', 'en'], { each: true })
  languages?: string[];

  @ApiPropertyOptional({ example: ['pensijas', 'nodokļi'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  skills?: string[];

  @ApiPropertyOptional({ example: { voice: 1, chat: 3, email: 10 }, description: 'Work held at once per channel' })
  @IsOptional()
  @IsObject()
  capacity?: Record<string, number>;
}

export class UpdateAgentDto extends PartialType(CreateAgentDto) {
  @ApiPropertyOptional({ description: 'false disables the account: its sessions stop working at once' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}
