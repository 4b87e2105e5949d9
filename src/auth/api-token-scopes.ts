import { SetMetadata } from '@nestjs/common';
import { validationProblem } from '../common/problem';
import type { AuthUser } from './auth-user';

/** What an institution's system may do with an API token, each scope naming the routes it opens. */
export const API_TOKEN_SCOPES = ['tickets:read', 'tickets:hand-back'] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

/** Tokens for systems start so; a staff access token (a JWT) never does, so the guard tells them apart at once. */
export const API_TOKEN_PREFIX = 'vpat_';

export const TOKEN_SCOPE = 'auth:token-scope';

/**
 * The route is open to API tokens holding this scope (within their institution's tickets). Every route without
 * it answers 403 to a token, whatever the token holds.
 */
export const TokenScope = (scope: ApiTokenScope) => SetMetadata(TOKEN_SCOPE, scope);

/**
 * `tickets:hand-back` opens the escalations route for one kind of move only: the answer going back down, in the
 * ticket's own institution. Checked on the locked ticket, where the direction is known.
 */
export function assertTokenMayMove(
  user: AuthUser,
  direction: 'escalated' | 'handed_back' | 'transferred',
  dto: { institution?: string; queue?: string },
): void {
  if (!user.apiToken) return;
  if (direction !== 'handed_back') {
    throw validationProblem([
      { field: 'toLevel', code: 'handBackOnly', message: 'an API token may only hand a ticket back to a lower level' },
    ]);
  }
  if (dto.institution || dto.queue) {
    throw validationProblem([
      {
        field: dto.institution ? 'institution' : 'queue',
        code: 'handBackOnly',
        message: 'a hand-back by an API token keeps the ticket in its institution',
      },
    ]);
  }
}
