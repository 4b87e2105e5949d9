import { HttpStatus, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ProblemException } from '../common/problem';
import { AppConfig } from '../config/app-config';
import type { TokenResponseDto } from './dto/login.dto';
import { SessionsService } from './sessions.service';
import { SecondFactorStep, TotpService } from './totp.service';

/** A challenge token is good for this long: enough to open the app and type a code, not to sit on it. */
export const CHALLENGE_TTL_SECONDS = 300;
const CHALLENGE_AUDIENCE = 'second-factor';

/**
 * The end of every way of signing in (password, identity provider): the second factor when the agent needs one,
 * then a session and its tokens. A challenge token names the agent and the step only; it carries no session, so
 * the AuthGuard never takes it as an access token, and it is signed for its own audience.
 */
@Injectable()
export class SignInService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly sessions: SessionsService,
    private readonly totp: TotpService,
  ) {}

  /** Tokens, or a 401 problem telling the client which second-factor step comes next, with its challenge token. */
  async complete(agentId: string, ip: string | null): Promise<TokenResponseDto> {
    const step = await this.totp.requirement(agentId);
    if (step === null)
      throw new ProblemException(HttpStatus.UNAUTHORIZED, 'invalid-credentials', 'Unauthorized', 'The account is disabled.');
    if (step !== 'none') throw await this.secondFactorProblem(agentId, step);
    return this.open(agentId, ip);
  }

  /** A session and its tokens, once every factor is proven. */
  async open(agentId: string, ip: string | null): Promise<TokenResponseDto> {
    const session = await this.sessions.open(agentId, ip);
    return this.tokens(agentId, session.sessionId, session.refreshToken);
  }

  async tokens(agentId: string, sessionId: string, refreshToken: string): Promise<TokenResponseDto> {
    const accessToken = await this.jwt.signAsync(
      { sub: agentId, sid: sessionId },
      { expiresIn: this.config.JWT_TTL_SECONDS, algorithm: 'HS256' },
    );
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.JWT_TTL_SECONDS, refreshToken };
  }

  /** The agent and step a challenge token stands for, or null when it is forged, expired or something else. */
  async readChallenge(token: string): Promise<{ agentId: string; step: Exclude<SecondFactorStep, 'none'> } | null> {
    try {
      const claims = await this.jwt.verifyAsync<{ sub?: unknown; step?: unknown }>(token, {
        audience: CHALLENGE_AUDIENCE,
        algorithms: ['HS256'],
      });
      if (typeof claims.sub !== 'string' || (claims.step !== 'code' && claims.step !== 'enrol')) return null;
      return { agentId: claims.sub, step: claims.step };
    } catch {
      return null;
    }
  }

  private async secondFactorProblem(agentId: string, step: 'code' | 'enrol'): Promise<ProblemException> {
    const challengeToken = await this.jwt.signAsync(
      { sub: agentId, step },
      { audience: CHALLENGE_AUDIENCE, expiresIn: CHALLENGE_TTL_SECONDS, algorithm: 'HS256' },
    );
    const problem =
      step === 'code'
        ? new ProblemException(
            HttpStatus.UNAUTHORIZED,
            'totp-required',
            'Second factor required',
            'Send a code from the authenticator app (or a recovery code) with the challenge token to POST /v1/auth/login/totp.',
          )
        : new ProblemException(
            HttpStatus.UNAUTHORIZED,
            'totp-enrolment-required',
            'Second factor must be set up',
            'Your role signs in with a second factor. Get a secret at POST /v1/auth/login/totp/enrolment, add it to an authenticator app, then send its first code to POST /v1/auth/login/totp.',
          );
    Object.assign(problem.getResponse() as object, {
      challengeToken,
      challengeExpiresIn: CHALLENGE_TTL_SECONDS,
      next: step === 'code' ? '/v1/auth/login/totp' : '/v1/auth/login/totp/enrolment',
    });
    return problem;
  }
}
