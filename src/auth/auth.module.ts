import { Module } from '@nestjs/common';
import { createSecretKey } from 'node:crypto';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AgentsModule } from '../agents/agents.module';
import { AuditModule } from '../audit/audit.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { SessionsService } from './sessions.service';
import { AppConfig } from '../config/app-config';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AccessTokens } from './access-tokens';
import { SignInService } from './sign-in.service';
import { ApiTokensController } from './api-tokens.controller';
import { ApiTokensService } from './api-tokens.service';
import { OidcController } from './oidc.controller';
import { OidcService } from './oidc.service';
import { TotpAdminController, TotpController } from './totp.controller';
import { TotpService } from './totp.service';

@Module({
  imports: [
    AgentsModule,
    AuditModule,
    RealtimeModule,
    JwtModule.registerAsync({
      inject: [AppConfig],
      // A key object, not the string: given a string, jsonwebtoken first tries it as a PEM public key on every
      // verification, and that failed parse (about a millisecond of CPU) was the costliest step of each request.
      useFactory: (config: AppConfig) => ({ secret: createSecretKey(Buffer.from(config.JWT_SECRET)), signOptions: { algorithm: 'HS256' } }),
    }),
  ],
  controllers: [AuthController, TotpController, TotpAdminController, ApiTokensController, OidcController],
  providers: [
    { provide: APP_GUARD, useClass: AuthGuard },
    SessionsService,
    AccessTokens,
    TotpService,
    SignInService,
    ApiTokensService,
    OidcService,
  ],
  exports: [AccessTokens],
})
export class AuthModule {}
