import { Body, Controller, Get, HttpCode, HttpStatus, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { HttpReply, HttpRequest } from '../common/http';
import { AuditService } from '../audit/audit.service';
import { AgentsService } from '../agents/agents.service';
import { sourceKey } from '../common/client-address';
import { ProblemException } from '../common/problem';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { CurrentUser, Public } from './auth.decorators';
import type { AuthUser } from './auth-user';
import { LoginDto, RefreshDto, TokenResponseDto } from './dto/login.dto';
import { SessionsService } from './sessions.service';
import { SignInService } from './sign-in.service';

/** One answer for a wrong password, an unknown address and a locked account, word for word. */
const INVALID_CREDENTIALS = 'Wrong e-mail or password, or the account is locked for a while after repeated failures.';

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(
    private readonly agents: AgentsService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly limits: RateLimitService,
    private readonly signIn: SignInService,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Exchange e-mail and password for a bearer token' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiUnauthorizedResponse({
    description:
      'invalid-credentials: wrong e-mail or password, or the account is locked after repeated failures from many places (the answer does not say which). 403 account-disabled: the right password for a disabled account',
  })
  @ApiTooManyRequestsResponse({ description: 'Too many attempts from this address (for this account, or at all); see Retry-After' })
  async login(@Body() body: LoginDto, @Req() req: HttpRequest, @Res({ passthrough: true }) res: HttpReply): Promise<TokenResponseDto> {
    // Before the password hash: one source that guessed too often at this account waits, and everyone else,
    // the account's owner included, still signs in. The account-wide lock below needs many sources to reach.
    const source = sourceKey(req.ip ?? 'unknown');
    const refusal = await this.limits.takeLoginAttempt(body.email, source);
    if (refusal) {
      res.header('Retry-After', String(refusal.retryAfterSeconds));
      throw new ProblemException(
        HttpStatus.TOO_MANY_REQUESTS,
        'rate-limited',
        'Too many requests',
        'Too many sign-in attempts for this account from this address; try again later.',
      );
    }
    const agent = await this.agents.verifyCredentials(body.email, body.password);
    const context = { ip: req.ip, requestId: req.id ? String(req.id) : null };
    if (agent && 'locked' in agent) {
      await this.audit.record([
        { actorAgentId: agent.id, action: 'auth.locked_out', subjectType: 'agent', subjectId: agent.id, ...context },
      ]);
      // Answered like a wrong password: it never tells a guesser that a guess was right, nor that the address is a
      // staff account. The owner, who is refused by their own source first, hears why from the 429 above.
      throw new ProblemException(HttpStatus.UNAUTHORIZED, 'invalid-credentials', 'Unauthorized', INVALID_CREDENTIALS);
    }
    if (agent && 'disabled' in agent) {
      await this.audit.record([
        { actorAgentId: agent.id, action: 'auth.disabled_refused', subjectType: 'agent', subjectId: agent.id, ...context },
      ]);
      throw new ProblemException(
        HttpStatus.FORBIDDEN,
        'account-disabled',
        'Forbidden',
        'The account is disabled; an administrator can enable it again.',
      );
    }
    if (!agent) throw new ProblemException(HttpStatus.UNAUTHORIZED, 'invalid-credentials', 'Unauthorized', INVALID_CREDENTIALS);
    await this.limits.returnLoginAttempt(body.email, source);
    // Either the tokens, or a 401 telling the client to prove the second factor (see TotpController).
    return this.signIn.complete(agent.id, req.ip ?? null);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The signed-in member of staff: name, roles and institutions (what their screens show and offer)' })
  async me(@CurrentUser() user: AuthUser) {
    const profile = await this.agents.profile(user.id);
    if (!profile)
      throw new ProblemException(HttpStatus.UNAUTHORIZED, 'invalid-token', 'Unauthorized', 'The session has ended; sign in again.');
    return profile;
  }

  @Public()
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'A new access token (and a new refresh token) for an open session' })
  @ApiOkResponse({ type: TokenResponseDto })
  async refresh(@Body() body: RefreshDto): Promise<TokenResponseDto> {
    const rotated = await this.sessions.rotate(body.refreshToken);
    if (!rotated)
      throw new ProblemException(HttpStatus.UNAUTHORIZED, 'invalid-refresh', 'Unauthorized', 'The session has ended; sign in again.');
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
