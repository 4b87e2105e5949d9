import { ApiProperty } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsInt, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsInstitutionCode } from '../../common/validators';
import { API_TOKEN_SCOPES, ApiTokenScope } from '../api-token-scopes';

export class CreateApiTokenDto {
  @ApiProperty({ example: 'VID case system' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({ example: 'VID', description: 'The institution whose tickets the token reaches' })
  @IsInstitutionCode()
  institution: string;

  @ApiProperty({ enum: API_TOKEN_SCOPES, isArray: true, example: ['tickets:read', 'tickets:hand-back'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(API_TOKEN_SCOPES, { each: true })
  scopes: ApiTokenScope[];

  @ApiProperty({ minimum: 1, maximum: 365, example: 90 })
  @IsInt()
  @Min(1)
  @Max(365)
  expiresInDays: number;
}

export class ApiTokenViewDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: 'VID' }) institution: string;
  @ApiProperty({ enum: API_TOKEN_SCOPES, isArray: true }) scopes: string[];
  @ApiProperty() expiresAt: Date;
  @ApiProperty({ nullable: true }) revokedAt: Date | null;
  @ApiProperty({ nullable: true }) lastUsedAt: Date | null;
  @ApiProperty() createdAt: Date;
}

export class CreatedApiTokenDto extends ApiTokenViewDto {
  @ApiProperty({ description: 'Shown this once; send it as `Authorization: Bearer vpat_…`. Only its hash is kept.' })
  token: string;
}
