import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AgentsService } from '../agents/agents.service';
import type { AuthUser } from './auth-user';

/**
 * Turns an access token into the member of staff behind it, for HTTP requests and sockets alike. The token only
 * names the agent and the session: roles and institutions are read fresh, so a disabled agent, a narrowed scope
 * or a logout takes effect at once.
 */
@Injectable()
export class AccessTokens {
  constructor(
    private readonly jwt: JwtService,
    private readonly agents: AgentsService,
  ) {}

  async authenticate(token: string): Promise<{ user: AuthUser } | { refused: string }> {
    let claims: { sub: string; sid: string };
    try {
      claims = await this.jwt.verifyAsync<{ sub: string; sid: string }>(token, { algorithms: ['HS256'] });
    } catch {
      return { refused: 'The token is invalid or has expired.' };
    }
    if (typeof claims.sid !== 'string') return { refused: 'The token is invalid or has expired.' };
    return this.session(claims.sub, claims.sid);
  }

  /** The same check for a session already authenticated once (a socket re-checks it on every heartbeat). */
  async session(agentId: string, sessionId: string): Promise<{ user: AuthUser } | { refused: string }> {
    const user = await this.agents.findAuthUser(agentId, sessionId);
    if (!user) return { refused: 'The session has ended, or the account is disabled.' };
    return { user: { ...user, sessionId } };
  }
}
