import { Body, Controller, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuditService } from '../audit/audit.service';
import { AgentsService } from '../agents/agents.service';
import { ProblemException } from '../common/problem';
import { CurrentUser, Public } from './auth.decorators';
import type { AuthUser } from './auth-user';
import { LoginDto, RefreshDto, TokenResponseDto } from './dto/login.dto';
import { SessionsService } from './sessions.service';
import { SignInService } from './sign-in.service';

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(
    private readonly agents: AgentsService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly signIn: SignInService,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Exchange e-mail and password for a bearer token' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiUnauthorizedResponse({ description: 'Wrong e-mail or password (the answer does not say which)' })
  async login(@Body() body: LoginDto, @Req() req: Request & { id?: string }): Promise<TokenResponseDto> {
    const agent = await this.agents.verifyCredentials(body.email, body.password);
    if (!agent || 'locked' in agent) {
      if (agent) await this.audit.record([{ actorAgentId: agent.id, action: 'auth.locked_out', subjectType: 'agent', subjectId: agent.id, ip: req.ip, requestId: req.id ? String(req.id) : null }]);
      throw new ProblemException(
        HttpStatus.UNAUTHORIZED,
        'invalid-credentials',
        'Unauthorized',
        'Wrong e-mail or password, or the account is locked for a while after repeated failures.',
      );
    }
    // Either the tokens, or a 401 telling the client to prove the second factor (see TotpController).
    return this.signIn.complete(agent.id, req.ip ?? null);
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
    return this.signIn.tokens(agentId, sessionId, refreshToken);
  }
}
