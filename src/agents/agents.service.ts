import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { hashPassword, passwordPolicyProblems, verifyPassword } from '@lib/password-hash';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user';
import { validationProblem } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { Invalidations } from '../realtime/invalidations';
import { Role } from './entities/agent.entity';

@Injectable()
export class AgentsService {
  private readonly logger = new Logger(AgentsService.name);
  /** Verified against when the e-mail is unknown, so the answer takes as long as for a known one. */
  private decoyHash: Promise<string> | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly invalidations: Invalidations,
  ) {}

  /** The agent behind a token, if the agent is active and the token's session is still open. */
  async findAuthUser(agentId: string, sessionId: string): Promise<AuthUser | null> {
    const [row]: Array<{ id: string; email: string; roles: Role[]; institution_ids: string[] }> = await this.dataSource.query(
      `SELECT a.id, a.email, a.roles,
              coalesce(array_agg(ai.institution_id) FILTER (WHERE ai.institution_id IS NOT NULL), '{}') AS institution_ids
       FROM agents a LEFT JOIN agent_institutions ai ON ai.agent_id = a.id
       WHERE a.id = $1 AND a.active
         AND EXISTS (SELECT 1 FROM sessions s WHERE s.id = $2 AND s.agent_id = a.id AND s.revoked_at IS NULL AND s.expires_at > now())
       GROUP BY a.id`,
      [agentId, sessionId],
    );
    return row ? { id: row.id, email: row.email, roles: row.roles, institutionIds: row.institution_ids } : null;
  }

  /**
   * Checks a password; after AUTH_MAX_FAILED_LOGINS failures in a row the account is locked for
   * AUTH_LOCKOUT_SECONDS, during which even the right password is refused. The caller answers a lock like a wrong
   * password, so the answer never tells whether an account exists or is locked. A disabled account is reported
   * only to someone who gives its right password; anyone else gets the same null as for an unknown address.
   *
   * Every attempt is counted before the password is checked, in one statement that also decides whether it may be
   * checked at all: guesses sent in parallel each take their own number, so no more than the limit are ever checked
   * (a read, a slow check and a write afterwards let 40 parallel guesses through and left a count of 2). The attempt
   * that reaches the limit sets the lock at once; a success clears it only if no attempt was counted after its own,
   * so a lock that parallel guesses reached meanwhile stands.
   */
  async verifyCredentials(
    email: string,
    password: string,
  ): Promise<{ id: string } | { locked: true; id: string } | { disabled: true; id: string } | null> {
    const [row]: Array<{ id: string; active: boolean; password_hash: string | null; attempt: number | null; admitted: boolean | null }> =
      await this.dataSource.query(
        `WITH target AS (SELECT id, active FROM agents WHERE email = $1),
       counted AS (
         UPDATE agents a
            SET failed_logins = CASE WHEN a.locked_until <= now() THEN 1 ELSE a.failed_logins + 1 END,
                locked_until = CASE WHEN a.locked_until > now() THEN a.locked_until
                                    WHEN (CASE WHEN a.locked_until <= now() THEN 1 ELSE a.failed_logins + 1 END) >= $2
                                      THEN now() + make_interval(secs => $3)
                                    END
           FROM target
          WHERE a.id = target.id AND target.active
         RETURNING a.id, a.password_hash, a.failed_logins AS attempt,
                   -- Locks are set only when the count reaches the limit and the count never falls while locked.
                   a.failed_logins <= $2 AND (a.locked_until IS NULL OR a.failed_logins = $2) AS admitted
       )
       SELECT t.id, t.active, coalesce(c.password_hash, (SELECT password_hash FROM agents WHERE id = t.id AND NOT t.active)) AS password_hash,
              c.attempt, c.admitted
       FROM target t LEFT JOIN counted c ON c.id = t.id`,
        [email.trim().toLowerCase(), this.config.AUTH_MAX_FAILED_LOGINS, this.config.AUTH_LOCKOUT_SECONDS],
      );
    if (row && !row.active) {
      // Disabled: nothing to lock; the per-source login limit bounds guessing, and only the right password hears why.
      const ok = row.password_hash ? await verifyPassword(password, row.password_hash) : false;
      return ok ? { disabled: true, id: row.id } : null;
    }
    if (!row?.admitted) {
      // Unknown and locked accounts cost the same check as a real one, so timing tells neither apart.
      this.decoyHash ??= hashPassword('decoy password that matches nothing');
      await verifyPassword(password, await this.decoyHash);
      return row ? { locked: true, id: row.id } : null;
    }
    const ok = await verifyPassword(password, row.password_hash!);
    if (!ok) {
      if (row.attempt === this.config.AUTH_MAX_FAILED_LOGINS)
        this.logger.warn({ agentId: row.id }, 'account locked after repeated failed logins');
      return null;
    }
    await this.dataSource.query('UPDATE agents SET failed_logins = 0, locked_until = NULL WHERE id = $1 AND failed_logins = $2', [
      row.id,
      row.attempt,
    ]);
    return { id: row.id };
  }

  /** Who the signed-in member of staff is, for their own screens: name, roles and institution codes. */
  async profile(
    agentId: string,
  ): Promise<{ id: string; email: string; displayName: string; roles: Role[]; institutions: string[] } | null> {
    const [row]: Array<{ id: string; email: string; display_name: string; roles: Role[]; institutions: string[] }> =
      await this.dataSource.query(
        `SELECT a.id, a.email, a.display_name, a.roles,
              coalesce(array_agg(i.code ORDER BY i.code) FILTER (WHERE i.code IS NOT NULL), '{}') AS institutions
       FROM agents a LEFT JOIN agent_institutions ai ON ai.agent_id = a.id LEFT JOIN institutions i ON i.id = ai.institution_id
       WHERE a.id = $1 GROUP BY a.id`,
        [agentId],
      );
    return row ? { id: row.id, email: row.email, displayName: row.display_name, roles: row.roles, institutions: row.institutions } : null;
  }

  /** Creates (or updates roles and institutions of) a member of staff; the password is hashed here and nowhere else. */
  /** The centre the agent works for (VPPPD when the agent is unknown, as for an agent created before centres). */
  async centreOf(agentId: string): Promise<string> {
    const [row] = await this.dataSource.query('SELECT centre FROM agents WHERE id = $1', [agentId]);
    return row?.centre ?? 'VPPPD';
  }

  async upsert(input: {
    email: string;
    displayName: string;
    password: string;
    roles: Role[];
    institutionCodes?: string[];
    centre?: string;
  }): Promise<string> {
    const problems = passwordPolicyProblems(input.password, { email: input.email });
    if (problems.length)
      throw validationProblem(problems.map((message) => ({ field: 'password', code: 'policy', message: `password ${message}` })));
    const passwordHash = await hashPassword(input.password);
    const id = await this.dataSource.transaction(async (m) => {
      const [row]: Array<{ id: string }> = await m.query(
        `INSERT INTO agents (email, display_name, password_hash, roles, centre) VALUES ($1, $2, $3, $4, coalesce($5, 'VPPPD'))
         ON CONFLICT (email) DO UPDATE SET display_name = EXCLUDED.display_name, password_hash = EXCLUDED.password_hash,
                                           roles = EXCLUDED.roles, centre = coalesce($5, agents.centre), updated_at = now()
         RETURNING id`,
        [input.email.trim().toLowerCase(), input.displayName, passwordHash, input.roles, input.centre?.toUpperCase() ?? null],
      );
      await m.query('DELETE FROM agent_institutions WHERE agent_id = $1', [row.id]);
      if (input.institutionCodes?.length) {
        const found: Array<{ id: string }> = await m.query(
          `INSERT INTO agent_institutions (agent_id, institution_id)
           SELECT $1, id FROM institutions WHERE code = ANY($2::text[]) RETURNING institution_id AS id`,
          [row.id, input.institutionCodes],
        );
        if (found.length !== new Set(input.institutionCodes).size) {
          throw new Error(`unknown institution among ${input.institutionCodes.join(', ')}`);
        }
      }
      return row.id;
    });
    // Roles and institutions may have changed: every instance reads this agent's sessions afresh (the topic is
    // AccessTokens' SESSION_INVALIDATION, named here as a string since the auth module depends on this one).
    await this.invalidations.publish('session', [id]);
    return id;
  }

  /** The admin named by ADMIN_EMAIL is created on first start; an existing account is left as it is. */
  async ensureAdmin(email: string, password: string): Promise<void> {
    const [existing] = await this.dataSource.query('SELECT id FROM agents WHERE email = $1', [email.trim().toLowerCase()]);
    if (existing) return;
    await this.upsert({ email, displayName: 'Administrator', password, roles: ['admin', 'supervisor'] });
    this.logger.log({ email }, 'seeded the administrator account');
  }
}
