import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { Invalidations } from '../realtime/invalidations';
import { SESSION_INVALIDATION } from './access-tokens';
import { InjectDataSource } from '@nestjs/typeorm';
import { generateSecret, generateURI, verify } from 'otplib';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ProblemException } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { SecretCipher } from '../secrets/secret-cipher';
import { hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from './recovery-codes';

/** What signing in needs after the first step: nothing more, a code, or enrolling a factor first. */
export type SecondFactorStep = 'none' | 'code' | 'enrol';

export interface RequestContext {
  ip?: string | null;
  requestId?: string | null;
}

/** The rows an UPDATE … RETURNING gave back (TypeORM answers UPDATE and DELETE with [rows, count]). */
async function updated<T = unknown>(db: DataSource | EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const [rows] = await db.query<[T[], number]>(sql, params);
  return rows;
}

/** An attempt taken from the allowance, with the secret as stored (sealed, or plaintext from before sealing). */
interface ReservedAttempt {
  agentId: string;
  stored: string;
  lastTimeStep: number | null;
}

/** One 30-second step either side of now: a phone clock a little off still works, and no wider. */
const EPOCH_TOLERANCE_SECONDS = 30;

/**
 * TOTP second factor and its recovery codes. Every check first reserves an attempt with one atomic UPDATE, and only
 * then compares: parallel guesses cannot run past the limit, and a success never clears a lock reached meanwhile.
 * The shared secret is stored sealed under DATA_ENCRYPTION_KEY (a database dump alone must not yield codes); a row
 * written before that is read as it is until the start-up pass or `npm run secrets:reencrypt` seals it.
 */
@Injectable()
export class TotpService {
  private readonly logger = new Logger(TotpService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly invalidations: Invalidations,
    private readonly cipher: SecretCipher,
  ) {}

  /** Null when the agent is unknown or disabled. */
  async requirement(agentId: string): Promise<SecondFactorStep | null> {
    const [row]: Array<{ roles: string[]; enrolled: boolean }> = await this.dataSource.query(
      `SELECT a.roles, t.confirmed_at IS NOT NULL AS enrolled
       FROM agents a LEFT JOIN agent_totp t ON t.agent_id = a.id WHERE a.id = $1 AND a.active`,
      [agentId],
    );
    if (!row) return null;
    if (row.enrolled) return 'code';
    return row.roles.some((r) => this.config.TOTP_REQUIRED_ROLES.includes(r)) ? 'enrol' : 'none';
  }

  /** A new secret, shown this once; it replaces an enrolment not yet confirmed, never a confirmed factor. */
  async startEnrolment(agentId: string): Promise<{ secret: string; otpauthUri: string }> {
    const secret = generateSecret();
    const rows: Array<{ email: string }> = await this.dataSource.query(
      `WITH saved AS (
         INSERT INTO agent_totp (agent_id, secret) VALUES ($1, $2)
         ON CONFLICT (agent_id) DO UPDATE SET secret = EXCLUDED.secret, last_time_step = NULL WHERE agent_totp.confirmed_at IS NULL
         RETURNING agent_id)
       SELECT a.email FROM saved JOIN agents a ON a.id = saved.agent_id`,
      [agentId, this.cipher.seal(secret, 'agent_totp.secret')],
    );
    if (!rows.length) {
      throw new ProblemException(
        HttpStatus.CONFLICT,
        'totp-enrolled',
        'Conflict',
        'A second factor is already set up; an administrator can reset it.',
      );
    }
    return { secret, otpauthUri: generateURI({ issuer: this.config.TOTP_ISSUER, label: rows[0].email, secret }) };
  }

  /** The first right code from the app confirms the enrolment; the ten recovery codes are returned this once. */
  async confirmEnrolment(agentId: string, code: string, context: RequestContext): Promise<string[] | null> {
    const reserved = await this.reserveAttempt(agentId, false);
    if (!reserved) return null;
    const timeStep = await this.check(reserved, code);
    if (timeStep === null) return this.failed(agentId, context);
    const codes = newRecoveryCodes();
    return this.dataSource.transaction(async (m) => {
      const confirmed = await updated(
        m,
        `UPDATE agent_totp SET confirmed_at = now(), last_time_step = $3, failed_attempts = 0
         WHERE agent_id = $1 AND secret = $2 AND confirmed_at IS NULL AND (locked_until IS NULL OR locked_until <= now()) RETURNING agent_id`,
        // The stored value as it was read: an enrolment started again meanwhile wrote a new one, and the code was
        // checked against this one only (sealing is randomised, so the plain secret cannot be compared in SQL).
        [agentId, reserved.stored, timeStep],
      );
      if (!confirmed.length) return null;
      await this.replaceRecoveryCodes(m, agentId, codes);
      await this.audit.record(
        [{ actorAgentId: agentId, action: 'auth.totp_enrolled', subjectType: 'agent', subjectId: agentId, ...context }],
        m,
      );
      return codes;
    });
  }

  /** A code from the app, or one of the recovery codes (each works once). */
  async verify(agentId: string, proof: { code?: string; recoveryCode?: string }, context: RequestContext): Promise<boolean> {
    const reserved = await this.reserveAttempt(agentId, true);
    if (!reserved) return false;
    if (proof.recoveryCode !== undefined) {
      const normalized = normalizeRecoveryCode(proof.recoveryCode);
      const used: Array<{ left: number }> = normalized
        ? await this.dataSource.query(
            `WITH used AS (
               UPDATE agent_recovery_codes SET used_at = now() WHERE agent_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id)
             SELECT (SELECT count(*)::int FROM agent_recovery_codes WHERE agent_id = $1 AND used_at IS NULL) - 1 AS left FROM used`,
            [agentId, hashRecoveryCode(normalized)],
          )
        : [];
      if (!used.length) return (await this.failed(agentId, context)) ?? false;
      await this.audit.record([
        {
          actorAgentId: agentId,
          action: 'auth.recovery_code_used',
          subjectType: 'agent',
          subjectId: agentId,
          detail: { left: used[0].left },
          ...context,
        },
      ]);
      return this.succeeded(agentId, null);
    }
    const timeStep = await this.check(reserved, proof.code ?? '');
    if (timeStep === null) return (await this.failed(agentId, context)) ?? false;
    return this.succeeded(agentId, timeStep);
  }

  /** An administrator removes the factor and its recovery codes (a lost phone); the agent enrols again. */
  async reset(agentId: string, actorAgentId: string, context: RequestContext): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const [agent] = await m.query('SELECT id FROM agents WHERE id = $1', [agentId]);
      if (!agent) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', 'No such agent.');
      const [, removed] = await m.query('DELETE FROM agent_totp WHERE agent_id = $1', [agentId]);
      await m.query('DELETE FROM agent_recovery_codes WHERE agent_id = $1', [agentId]);
      await this.audit.record(
        [
          {
            actorAgentId,
            action: 'auth.totp_reset',
            subjectType: 'agent',
            subjectId: agentId,
            detail: { hadFactor: removed > 0 },
            ...context,
          },
        ],
        m,
      );
    });
    await this.invalidations.publish(SESSION_INVALIDATION, [agentId]);
  }

  /**
   * Takes one attempt from the allowance before anything is compared. Nothing comes back while the factor is
   * locked or the allowance is used up by attempts still in flight.
   */
  private async reserveAttempt(agentId: string, confirmed: boolean): Promise<ReservedAttempt | null> {
    const [row] = await updated<{ secret: string; last_time_step: string | null }>(
      this.dataSource,
      `UPDATE agent_totp SET failed_attempts = failed_attempts + 1, locked_until = NULL
       WHERE agent_id = $1 AND (confirmed_at IS NOT NULL) = $2 AND (locked_until IS NULL OR locked_until <= now()) AND failed_attempts < $3
       RETURNING secret, last_time_step`,
      [agentId, confirmed, this.config.AUTH_MAX_FAILED_LOGINS],
    );
    return row ? { agentId, stored: row.secret, lastTimeStep: row.last_time_step === null ? null : Number(row.last_time_step) } : null;
  }

  /** The code's time step when it is right and newer than the last one accepted; otherwise null. */
  private async check({ agentId, stored, lastTimeStep }: ReservedAttempt, code: string): Promise<number | null> {
    if (!/^\d{6}$/.test(code)) return null;
    let secret: string;
    try {
      secret = this.cipher.open(stored, 'agent_totp.secret');
    } catch (error) {
      // Under a key no longer configured: no code can be right until an administrator resets the factor.
      this.logger.error(
        { agentId, reason: (error as Error).message },
        'the stored TOTP secret opens under no configured key; reset the factor',
      );
      return null;
    }
    try {
      const result = await verify({
        secret,
        token: code,
        epochTolerance: EPOCH_TOLERANCE_SECONDS,
        ...(lastTimeStep !== null ? { afterTimeStep: lastTimeStep } : {}),
      });
      return result.valid && 'timeStep' in result ? result.timeStep : null;
    } catch {
      return null;
    }
  }

  /** The attempt stays counted; the one that reaches the limit locks the factor. */
  private async failed(agentId: string, context: RequestContext): Promise<null> {
    const locked = await updated(
      this.dataSource,
      `UPDATE agent_totp SET locked_until = now() + make_interval(secs => $3), failed_attempts = 0
       WHERE agent_id = $1 AND failed_attempts >= $2 AND locked_until IS NULL RETURNING agent_id`,
      [agentId, this.config.AUTH_MAX_FAILED_LOGINS, this.config.AUTH_LOCKOUT_SECONDS],
    );
    if (locked.length) {
      this.logger.warn({ agentId }, 'second factor locked after repeated wrong codes');
      await this.audit.record([
        { actorAgentId: agentId, action: 'auth.totp_locked', subjectType: 'agent', subjectId: agentId, ...context },
      ]);
    }
    return null;
  }

  /**
   * Gives the attempt back and records the step, in one statement that also refuses a replayed step and a lock
   * reached while this attempt was being checked.
   */
  private async succeeded(agentId: string, timeStep: number | null): Promise<boolean> {
    const rows = await updated(
      this.dataSource,
      `UPDATE agent_totp SET failed_attempts = 0, last_time_step = coalesce($2, last_time_step)
       WHERE agent_id = $1 AND (locked_until IS NULL OR locked_until <= now())
         AND ($2::bigint IS NULL OR last_time_step IS NULL OR last_time_step < $2::bigint)
       RETURNING agent_id`,
      [agentId, timeStep],
    );
    return rows.length > 0;
  }

  private async replaceRecoveryCodes(m: EntityManager, agentId: string, codes: string[]): Promise<void> {
    await m.query('DELETE FROM agent_recovery_codes WHERE agent_id = $1', [agentId]);
    await m.query(`INSERT INTO agent_recovery_codes (agent_id, code_hash) SELECT $1, unnest($2::text[])`, [
      agentId,
      codes.map((c) => hashRecoveryCode(normalizeRecoveryCode(c)!)),
    ]);
  }
}
