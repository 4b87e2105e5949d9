import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ProblemException, validationProblem } from '../common/problem';
import { API_TOKEN_PREFIX, ApiTokenScope } from './api-token-scopes';
import type { AuthUser } from './auth-user';
import type { ApiTokenViewDto, CreatedApiTokenDto, CreateApiTokenDto } from './dto/api-token.dto';
import type { RequestContext } from './totp.service';

/** 32 random bytes: a fast hash is enough to store them, no secret is guessable from it. */
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

const VIEW = `t.id, t.name, i.code AS institution, t.scopes, t.expires_at AS "expiresAt", t.revoked_at AS "revokedAt",
              t.last_used_at AS "lastUsedAt", t.created_at AS "createdAt"`;

/** API tokens of institutions' systems: issued and revoked by admins, checked on every request that carries one. */
@Injectable()
export class ApiTokensService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreateApiTokenDto, admin: AuthUser, context: RequestContext): Promise<CreatedApiTokenDto> {
    const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    return this.dataSource.transaction(async (m) => {
      const [institution]: Array<{ id: string }> = await m.query('SELECT id FROM institutions WHERE code = $1', [
        dto.institution.toUpperCase(),
      ]);
      if (!institution)
        throw validationProblem([{ field: 'institution', code: 'unknown', message: `no institution has the code ${dto.institution}` }]);
      const [{ id }]: Array<{ id: string }> = await m.query(
        `INSERT INTO api_tokens (name, institution_id, scopes, token_hash, expires_at, created_by)
         VALUES ($1, $2, $3, $4, now() + make_interval(days => $5), $6) RETURNING id`,
        [dto.name, institution.id, dto.scopes, hashToken(token), dto.expiresInDays, admin.id],
      );
      await this.audit.record(
        [
          {
            actorAgentId: admin.id,
            action: 'api_token.created',
            subjectType: 'api_token',
            subjectId: id,
            detail: { name: dto.name, institution: dto.institution.toUpperCase(), scopes: dto.scopes },
            ...context,
          },
        ],
        m,
      );
      const [view]: ApiTokenViewDto[] = await m.query(
        `SELECT ${VIEW} FROM api_tokens t JOIN institutions i ON i.id = t.institution_id WHERE t.id = $1`,
        [id],
      );
      return { ...view, token };
    });
  }

  list(): Promise<ApiTokenViewDto[]> {
    return this.dataSource.query(
      `SELECT ${VIEW} FROM api_tokens t JOIN institutions i ON i.id = t.institution_id ORDER BY t.created_at DESC`,
    );
  }

  async revoke(id: string, admin: AuthUser, context: RequestContext): Promise<void> {
    const [rows] = await this.dataSource.query<[unknown[], number]>(
      'UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING id',
      [id],
    );
    if (!rows.length) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', 'No such API token.');
    await this.audit.record([{ actorAgentId: admin.id, action: 'api_token.revoked', subjectType: 'api_token', subjectId: id, ...context }]);
  }

  /**
   * The system behind a token, acting with a specialist's reach over its one institution, if the token is live
   * and holds the route's scope. Every use, allowed or refused, is audited with the route it asked for.
   */
  async authenticate(
    token: string,
    scope: ApiTokenScope | undefined,
    route: string,
    context: RequestContext,
  ): Promise<{ user: AuthUser } | { refused: string; status: 401 | 403 }> {
    const [row]: Array<{ id: string; name: string; institution_id: string; scopes: string[]; live: boolean }> = await this.dataSource.query(
      `SELECT id, name, institution_id, scopes, (revoked_at IS NULL AND expires_at > now()) AS live FROM api_tokens WHERE token_hash = $1`,
      [hashToken(token)],
    );
    if (!row) return { refused: 'The token is invalid or has expired.', status: 401 };
    const allowed = row.live && !!scope && row.scopes.includes(scope);
    await this.audit.record([
      {
        actorAgentId: row.id,
        action: allowed ? 'api_token.used' : 'api_token.refused',
        subjectType: 'api_token',
        subjectId: row.id,
        detail: { route, ...(allowed ? { scope } : { reason: row.live ? 'scope' : 'expired or revoked' }) },
        ...context,
      },
    ]);
    if (!row.live) return { refused: 'The token is invalid or has expired.', status: 401 };
    if (!allowed) return { refused: "This token's scopes do not open this route.", status: 403 };
    await this.dataSource.query('UPDATE api_tokens SET last_used_at = now() WHERE id = $1', [row.id]);
    return {
      user: {
        id: row.id,
        email: `api-token:${row.name}`,
        roles: ['specialist'],
        institutionIds: [row.institution_id],
        apiToken: { id: row.id, scopes: row.scopes },
      },
    };
  }
}
