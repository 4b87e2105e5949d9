import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_ATTACHMENTS } from '@lib/attachments';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsBase64Content } from '../../common/validators';

export class ReplyAttachmentDto {
  @ApiProperty({ example: 'atbilde.pdf' })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  filename: string;

  @ApiProperty({ description: 'The file, base64' })
  @IsString()
  @IsBase64Content()
  contentBase64: string;
}

export class CreateReplyDto {
  @ApiProperty({ example: 'Labdien! Vecuma pensijai var pieteikties portālā Latvija.lv ...' })
  @IsString()
  @MinLength(1)
  @MaxLength(50000)
  text: string;

  @ApiPropertyOptional({ description: 'Optional HTML version; it is sanitised before it is stored' })
  @IsOptional()
  @IsString()
  @MaxLength(200000)
  html?: string;

  @ApiPropertyOptional({ type: [ReplyAttachmentDto], maxItems: MAX_ATTACHMENTS })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ATTACHMENTS)
  @ValidateNested({ each: true })
  @Type(() => ReplyAttachmentDto)
  attachments?: ReplyAttachmentDto[];

  @ApiPropertyOptional({
    enum: ['email'],
    description:
      "Answer by e-mail instead of on the ticket's own channel, to the customer's e-mail address: a chat the visitor has left, a social conversation past its window, files for Instagram",
  })
  @IsOptional()
  @IsIn(['email'])
  via?: 'email';

  @ApiPropertyOptional({
    example: 'liga@example.lv',
    description:
      "For an e-mail reply: another of the customer's e-mail addresses, chosen by the operator (the ticket's customer.identifiers). " +
      "Without it the reply goes to the ticket's own contact: the address that wrote, or the one given with the ticket.",
  })
  @IsOptional()
  @IsEmail({ allow_display_name: false, require_tld: true })
  @MaxLength(254)
  to?: string;

  @ApiPropertyOptional({ description: 'The newest message the author had seen: a reply by someone else after it is a collision (409)' })
  @IsOptional()
  @IsUUID()
  lastSeenMessageId?: string;

  @ApiPropertyOptional({ description: 'Send although someone else replied meanwhile' })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class ReplyAcceptedDto {
  @ApiProperty()
  id: string;

  @ApiProperty({ example: 'email' })
  channel: string;

  @ApiProperty({ description: 'Our Message-ID on the channel' })
  externalId: string;

  @ApiProperty()
  address: string;

  @ApiProperty({ enum: ['queued', 'sent', 'failed'] })
  deliveryStatus: string;
}
