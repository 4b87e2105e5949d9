import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AgentsService } from '../agents/agents.service';
import { AppConfig } from '../config/app-config';
import { InstanceCache, Invalidations } from '../realtime/invalidations';
import type { AuthUser } from './auth-user';

/** The topic whose keys are session ids or agent ids: publish one when a session ends or an agent's access changes. */
export const SESSION_INVALIDATION = 'session';

/**
 * Turns an access token into the member of staff behind it, for HTTP requests and sockets alike. The token only
 * names the agent and the session: roles and institutions come from PostgreSQL, kept in memory for a few seconds
 * (SESSION_CACHE_TTL_MS) so a busy console does not read them on every request. Whatever ends a session or changes
 * an agent's access publishes it (SESSION_INVALIDATION) after commit, and every instance drops those entries, so a
 * disabled agent, a narrowed scope or a logout still takes effect at once everywhere.
 */
@Injectable()
export class AccessTokens {
  private readonly cache: InstanceCache<AuthUser | null>;

  constructor(
    private readonly jwt: JwtService,
    private readonly agents: AgentsService,
    invalidations: Invalidations,
    config: AppConfig,
  ) {
    this.cache = new InstanceCache<AuthUser | null>(invalidations, SESSION_INVALIDATION, {
      ttlMs: config.SESSION_CACHE_TTL_MS,
      maxEntries: 20000,
      alsoDropWhen: (user, agentId) => user?.id === agentId,
    });
  }

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
    // Keyed by the session and checked against the agent: a token whose `sub` is not the session's owner misses.
    const cached = await this.cache.get(sessionId, () => this.agents.findAuthUser(agentId, sessionId));
    const user = cached && cached.id === agentId ? cached : null;
    if (!user) return { refused: 'The session has ended, or the account is disabled.' };
    return { user: { ...user, sessionId } };
  }
}
