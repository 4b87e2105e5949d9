import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class PublicContactDto {
  @ApiProperty({ example: 'VSAA: tālrunis 67021600, e-pasts vsaa@vsaa.gov.lv', nullable: true, description: 'null or empty: none' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  publicContact: string | null;
}
