import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { TokenResponseDto } from './login.dto';

export class ChallengeDto {
  @ApiProperty({ description: 'From the 401 totp-required or totp-enrolment-required problem of the first sign-in step' })
  @IsString()
  @MinLength(10)
  @MaxLength(2000)
  challengeToken: string;
}

export class TotpLoginDto extends ChallengeDto {
  @ApiPropertyOptional({ example: '123456', description: 'The code the authenticator app shows; or send recoveryCode instead' })
  @IsOptional()
  @Matches(/^\d{6}$/, { message: 'code must be the 6 digits the app shows' })
  code?: string;

  @ApiPropertyOptional({ example: 'ABCD-EFGH-JKMN-PQRS', description: 'One of the recovery codes; each works once' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  recoveryCode?: string;
}

export class TotpCodeDto {
  @ApiProperty({ example: '123456' })
  @Matches(/^\d{6}$/, { message: 'code must be the 6 digits the app shows' })
  code: string;
}

export class TotpEnrolmentDto {
  @ApiProperty({ description: 'Base32 secret, shown this once (for typing in when the QR code cannot be scanned)' })
  secret: string;

  @ApiProperty({ example: 'otpauth://totp/VPPPD:rita%40example.lv?secret=…&issuer=VPPPD', description: 'Show as a QR code' })
  otpauthUri: string;
}

export class RecoveryCodesDto {
  @ApiProperty({ type: [String], description: 'Ten one-time codes, shown this once; only their hashes are kept' })
  recoveryCodes: string[];
}

export class TotpLoginResponseDto extends TokenResponseDto {
  @ApiPropertyOptional({ type: [String], description: 'Present when this sign-in confirmed a new enrolment: shown this once' })
  recoveryCodes?: string[];
}
