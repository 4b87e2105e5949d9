import { Body, Controller, Get, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuditService } from '../audit/audit.service';
import { AgentsService } from '../agents/agents.service';
import { ProblemException } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { CurrentUser, Public } from './auth.decorators';
import type { AuthUser } from './auth-user';
import { LoginDto, RefreshDto, TokenResponseDto } from './dto/login.dto';
import { SessionsService } from './sessions.service';

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(
    private readonly agents: AgentsService,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Exchange e-mail and password for a bearer token' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiUnauthorizedResponse({ description: 'invalid-credentials: wrong e-mail or password (the answer does not say which); account-locked: locked for a while after repeated failures. 403 account-disabled: the right password for a disabled account' })
  async login(@Body() body: LoginDto, @Req() req: Request & { id?: string }): Promise<TokenResponseDto> {
    const agent = await this.agents.verifyCredentials(body.email, body.password);
    const context = { ip: req.ip, requestId: req.id ? String(req.id) : null };
    if (agent && 'locked' in agent) {
      await this.audit.record([{ actorAgentId: agent.id, action: 'auth.locked_out', subjectType: 'agent', subjectId: agent.id, ...context }]);
      // Whatever the password: the answer never tells a guesser that a guess was right.
      throw new ProblemException(HttpStatus.UNAUTHORIZED, 'account-locked', 'Unauthorized', 'The account is locked for a while after repeated failed sign-ins.');
    }
    if (agent && 'disabled' in agent) {
      await this.audit.record([{ actorAgentId: agent.id, action: 'auth.disabled_refused', subjectType: 'agent', subjectId: agent.id, ...context }]);
      throw new ProblemException(HttpStatus.FORBIDDEN, 'account-disabled', 'Forbidden', 'The account is disabled; an administrator can enable it again.');
    }
    if (!agent) throw new ProblemException(HttpStatus.UNAUTHORIZED, 'invalid-credentials', 'Unauthorized', 'Wrong e-mail or password.');
    const session = await this.sessions.open(agent.id, req.ip ?? null);
    return this.tokens(agent.id, session.sessionId, session.refreshToken);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The signed-in member of staff: name, roles and institutions (what their screens show and offer)' })
  async me(@CurrentUser() user: AuthUser) {
    const profile = await this.agents.profile(user.id);
    if (!profile) throw new ProblemException(HttpStatus.UNAUTHORIZED, 'invalid-token', 'Unauthorized', 'The session has ended; sign in again.');
    return profile;
  }

  @Public()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'A new access token (and a new refresh token) for an open session' })
  @ApiOkResponse({ type: TokenResponseDto })
  async refresh(@Body() body: RefreshDto): Promise<TokenResponseDto> {
    const rotated = await this.sessions.rotate(body.refreshToken);
    if (!rotated) throw new ProblemException(HttpStatus.UNAUTHORIZED, 'invalid-refresh', 'Unauthorized', 'The session has ended; sign in again.');
    return this.tokens(rotated.agentId, rotated.sessionId, rotated.refreshToken);
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'End this session: its access and refresh tokens stop working at once' })
  @ApiNoContentResponse()
  async logout(@CurrentUser() user: AuthUser): Promise<void> {
    if (user.sessionId) await this.sessions.revoke(user.sessionId);
  }

  private async tokens(agentId: string, sessionId: string, refreshToken: string): Promise<TokenResponseDto> {
    const accessToken = await this.jwt.signAsync({ sub: agentId, sid: sessionId }, { expiresIn: this.config.JWT_TTL_SECONDS, algorithm: 'HS256' });
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.JWT_TTL_SECONDS, refreshToken };
  }
}
