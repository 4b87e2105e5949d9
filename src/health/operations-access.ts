import { HttpStatus, Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { secretsEqual } from '@lib/webhook-signature';
import type { HttpRequest } from '../common/http';
import type { Role } from '../agents/entities/agent.entity';
import { AccessTokens } from '../auth/access-tokens';
import { ProblemException } from '../common/problem';
import { AppConfig } from '../config/app-config';

/** Staff who answer for the running service may read its details. */
const DETAIL_ROLES: Role[] = ['supervisor', 'admin'];

/**
 * Who may read what of the operations endpoints. They are outside the staff AuthGuard (a worker has no staff
 * sign-in, and a monitoring system no account), so they check here: the monitoring token (METRICS_TOKEN) reads
 * metrics and health details; a supervisor's or admin's bearer token reads health details where staff can sign in.
 */
@Injectable()
export class OperationsAccess implements OnModuleInit {
  private tokens?: AccessTokens;

  constructor(
    private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    try {
      // Present in the api role only.
      this.tokens = this.moduleRef.get(AccessTokens, { strict: false });
    } catch {
      this.tokens = undefined;
    }
  }

  /** Throws the answer for a scrape without the right token; returns when it may go on. */
  assertMetricsAllowed(req: HttpRequest): void {
    if (!this.config.METRICS_TOKEN) {
      throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', 'Metrics are off: set METRICS_TOKEN to serve them.');
    }
    if (!this.hasMetricsToken(req)) {
      throw new ProblemException(
        HttpStatus.UNAUTHORIZED,
        'metrics-token',
        'Unauthorized',
        'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.',
      );
    }
  }

  async mayReadHealthDetails(req: HttpRequest): Promise<boolean> {
    if (this.hasMetricsToken(req)) return true;
    const token = bearer(req);
    if (!token || !this.tokens) return false;
    const result = await this.tokens.authenticate(token).catch(() => null);
    return !!result && 'user' in result && result.user.roles.some((r) => DETAIL_ROLES.includes(r));
  }

  private hasMetricsToken(req: HttpRequest): boolean {
    return secretsEqual(this.config.METRICS_TOKEN, bearer(req));
  }
}

function bearer(req: HttpRequest): string | undefined {
  const [scheme, token] = (req.headers.authorization ?? '').split(' ');
  return scheme === 'Bearer' && token ? token : undefined;
}
