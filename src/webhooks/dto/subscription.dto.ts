import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { ArrayNotEmpty, ArrayUnique, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUrl, MaxLength, MinLength } from 'class-validator';
import { IsInstitutionCode } from '../../common/validators';
import { WEBHOOK_EVENTS, WebhookEvent } from '../entities/webhook-subscription.entity';

export class CreateSubscriptionDto {
  @ApiProperty({ example: 'VID' })
  @IsInstitutionCode()
  institution: string;

  @ApiProperty({
    example: 'https://sistema.vid.gov.lv/vpppd/webhook',
    description:
      'A public address; private, loopback and link-local ones only within WEBHOOK_ALLOWED_NETWORKS. Redirects are not followed.',
  })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2000)
  url: string;

  @ApiProperty({ description: 'Signs every delivery (X-Signature); stored, never returned' })
  @IsString()
  @MinLength(32)
  @MaxLength(256)
  secret: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENTS, { each: true })
  events: WebhookEvent[];
}

/** The institution stays: a subscription for another one is a new subscription. */
export class UpdateSubscriptionDto extends PartialType(OmitType(CreateSubscriptionDto, ['institution'] as const)) {
  @ApiPropertyOptional({ description: 'false stops deliveries (queued ones fail); true resumes them for new events' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}
