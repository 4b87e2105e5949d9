import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type HttpRequest, pathOf } from '../common/http';
import type { Role } from '../agents/entities/agent.entity';
import { AccessTokens } from './access-tokens';
import { API_TOKEN_PREFIX, ApiTokenScope, TOKEN_SCOPE } from './api-token-scopes';
import { ApiTokensService } from './api-tokens.service';
import { ProblemException } from '../common/problem';
import { IS_PUBLIC, ROLES } from './auth.decorators';
import type { AuthUser } from './auth-user';

/**
 * Every route is closed unless marked @Public(). The token only names the agent: roles and institutions are
 * read fresh on each request, so a disabled agent or a narrowed scope takes effect at once.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokens,
    private readonly apiTokens: ApiTokensService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const req = context.switchToHttp().getRequest<HttpRequest & { user?: AuthUser }>();
    const [scheme, token] = (req.headers.authorization ?? '').split(' ');
    if (scheme !== 'Bearer' || !token) throw unauthorized('A bearer token is required.');
    const result = token.startsWith(API_TOKEN_PREFIX)
      ? await this.apiTokens.authenticate(
          token,
          this.reflector.getAllAndOverride<ApiTokenScope | undefined>(TOKEN_SCOPE, targets),
          `${req.method} ${req.routeOptions?.url ?? pathOf(req)}`,
          {
            ip: req.ip ?? null,
            requestId: (req as { id?: unknown }).id ? String((req as { id?: unknown }).id) : null,
          },
        )
      : await this.tokens.authenticate(token);
    if ('refused' in result) {
      if ('status' in result && result.status === 403)
        throw new ProblemException(HttpStatus.FORBIDDEN, 'forbidden', 'Forbidden', result.refused);
      throw unauthorized(result.refused);
    }
    const user = result.user;
    req.user = user;

    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets);
    if (roles && !user.roles.some((r) => roles.includes(r))) {
      throw new ProblemException(HttpStatus.FORBIDDEN, 'forbidden', 'Forbidden', `This needs one of the roles: ${roles.join(', ')}.`);
    }
    return true;
  }
}

function unauthorized(detail: string): ProblemException {
  return new ProblemException(HttpStatus.UNAUTHORIZED, 'unauthorized', 'Unauthorized', detail);
}
