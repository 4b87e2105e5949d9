import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { returnedRows } from '../database/rows';
import { Invalidations } from '../realtime/invalidations';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { SESSION_INVALIDATION } from './access-tokens';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Refresh tokens are `<session id>.<secret>`; only the secret's hash is stored, and it changes on every use. */
@Injectable()
export class SessionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly realtime: RealtimePublisher,
    private readonly invalidations: Invalidations,
  ) {}

  async open(agentId: string, ip: string | null): Promise<{ sessionId: string; refreshToken: string }> {
    const secret = randomBytes(32).toString('base64url');
    const [row]: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO sessions (agent_id, refresh_hash, expires_at, ip) VALUES ($1, $2, now() + make_interval(secs => $3), $4) RETURNING id`,
      [agentId, sha256(secret), this.config.JWT_REFRESH_TTL_SECONDS, ip],
    );
    return { sessionId: row.id, refreshToken: `${row.id}.${secret}` };
  }

  /**
   * Renews a session. A refresh token that was already used means it was copied: the whole session is revoked,
   * so neither the thief nor the owner can go on with it.
   */
  async rotate(refreshToken: string): Promise<{ agentId: string; sessionId: string; refreshToken: string } | null> {
    const [sessionId, secret] = refreshToken.split('.');
    if (!sessionId || !secret || !/^[0-9a-f-]{36}$/.test(sessionId)) return null;
    let replayed = false;
    const rotated = await this.dataSource.transaction(async (m) => {
      const [row]: Array<{ agent_id: string; refresh_hash: string; open: boolean }> = await m.query(
        `SELECT s.agent_id, s.refresh_hash, (s.revoked_at IS NULL AND s.expires_at > now() AND a.active) AS open
         FROM sessions s JOIN agents a ON a.id = s.agent_id WHERE s.id = $1 FOR UPDATE OF s`,
        [sessionId],
      );
      if (!row || !row.open) return null;
      if (!timingSafeEqual(Buffer.from(row.refresh_hash), Buffer.from(sha256(secret)))) {
        await m.query('UPDATE sessions SET revoked_at = now() WHERE id = $1', [sessionId]);
        replayed = true;
        return null;
      }
      const next = randomBytes(32).toString('base64url');
      await m.query('UPDATE sessions SET refresh_hash = $2, last_used_at = now() WHERE id = $1', [sessionId, sha256(next)]);
      return { agentId: row.agent_id, sessionId, refreshToken: `${sessionId}.${next}` };
    });
    if (replayed) await this.ended([sessionId]);
    return rotated;
  }

  /** Ends the session: its tokens stop working and its open sockets are disconnected, on every instance. */
  async revoke(sessionId: string): Promise<void> {
    const rows = returnedRows(
      await this.dataSource.query('UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id', [sessionId]),
    );
    await this.ended(rows.map((r) => r.id as string));
  }

  /** After commit: every instance's session cache drops them before the caller is answered, and their sockets close. */
  private async ended(sessionIds: string[]): Promise<void> {
    await this.invalidations.publish(SESSION_INVALIDATION, sessionIds);
    this.realtime.endSessions(sessionIds);
  }
}
