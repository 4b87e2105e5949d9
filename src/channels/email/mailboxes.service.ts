import { InjectQueue } from '@nestjs/bullmq';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { ProblemException, validationProblem } from '../../common/problem';
import { AppConfig } from '../../config/app-config';
import { SecretCipher } from '../../secrets/secret-cipher';
import { redisOf } from '../../common/redis';
import { getMany } from '../../common/redis-connection';
import { QueueName } from '../../queues';
import type { MailboxSettings, MailboxState } from './mailbox-watcher';

export interface MailboxView {
  id: string;
  name: string;
  address: string;
  institution: string | null;
  host: string;
  port: number;
  tls: boolean;
  username: string;
  folder: string;
  processedAction: 'flag' | 'move';
  processedFolder: string;
  enabled: boolean;
  updatedAt: Date;
}

export interface MailboxStatus {
  state: MailboxState | 'unknown';
  since: string | null;
  error: string | null;
}

export interface MailboxInput {
  name: string;
  address: string;
  institution?: string | null;
  host: string;
  port: number;
  tls: boolean;
  username: string;
  password: string;
  folder?: string;
  processedAction?: 'flag' | 'move';
  processedFolder?: string;
  enabled?: boolean;
}

const VIEW = `m.id, m.name, m.address, i.code AS institution, m.host, m.port, m.tls, m.username, m.folder,
  m.processed_action, m.processed_folder, m.enabled, m.updated_at`;

function toView(r: Record<string, any>): MailboxView {
  return {
    id: r.id,
    name: r.name,
    address: r.address,
    institution: r.institution,
    host: r.host,
    port: r.port,
    tls: r.tls,
    username: r.username,
    folder: r.folder,
    processedAction: r.processed_action,
    processedFolder: r.processed_folder,
    enabled: r.enabled,
    updatedAt: r.updated_at,
  };
}

/**
 * The mailboxes the centre reads. Passwords go in and are used by the reader, but no method that feeds the API
 * ever selects them. Connection states live in Redis, written by whichever worker holds the mailbox.
 */
@Injectable()
export class MailboxesService {
  private readonly logger = new Logger(MailboxesService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    @InjectQueue(QueueName.Inbound) private readonly queue: Queue,
    private readonly cipher: SecretCipher,
  ) {}

  /** The mailbox of the IMAP_* variables, kept in step with them on every start; its checkpoint is kept. */
  async ensureDefault(): Promise<void> {
    const c = this.config;
    if (!c.IMAP_HOST) return;
    // The stored ciphertext is kept when it still holds the same password: a fresh one (new IV) on every start
    // would look like a change, and make every watcher reconnect.
    const [existing]: Array<{ password: string }> = await this.dataSource.query(`SELECT password FROM mailboxes WHERE name = 'default'`);
    let password: string | null = null;
    if (existing) {
      try {
        if (this.cipher.open(existing.password, 'mailboxes.password') === c.IMAP_PASSWORD && !this.cipher.needsSealing(existing.password))
          password = existing.password;
      } catch {
        // under a key no longer configured: replaced below
      }
    }
    password ??= this.cipher.seal(c.IMAP_PASSWORD ?? '', 'mailboxes.password');
    await this.dataSource.query(
      `INSERT INTO mailboxes (name, address, institution_id, host, port, tls, username, password, folder, processed_action, processed_folder)
       VALUES ('default', $1, (SELECT id FROM institutions WHERE code = $2), $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (name) DO UPDATE SET address = EXCLUDED.address, institution_id = EXCLUDED.institution_id, host = EXCLUDED.host,
         port = EXCLUDED.port, tls = EXCLUDED.tls, username = EXCLUDED.username, password = EXCLUDED.password,
         folder = EXCLUDED.folder, processed_action = EXCLUDED.processed_action, processed_folder = EXCLUDED.processed_folder,
         enabled = true, updated_at = CASE WHEN (mailboxes.host, mailboxes.port, mailboxes.tls, mailboxes.username, mailboxes.password,
           mailboxes.folder, mailboxes.processed_action, mailboxes.processed_folder, mailboxes.address)
           IS DISTINCT FROM (EXCLUDED.host, EXCLUDED.port, EXCLUDED.tls, EXCLUDED.username, EXCLUDED.password, EXCLUDED.folder,
           EXCLUDED.processed_action, EXCLUDED.processed_folder, EXCLUDED.address) THEN now() ELSE mailboxes.updated_at END`,
      [
        (c.IMAP_ADDRESS ?? c.IMAP_USER!).toLowerCase(),
        c.IMAP_INSTITUTION?.toUpperCase() ?? null,
        c.IMAP_HOST,
        c.IMAP_PORT,
        c.IMAP_TLS,
        c.IMAP_USER,
        password,
        c.IMAP_FOLDER,
        c.IMAP_PROCESSED,
        c.IMAP_PROCESSED_FOLDER,
      ],
    );
  }

  async list(): Promise<MailboxView[]> {
    const rows = await this.dataSource.query(
      `SELECT ${VIEW} FROM mailboxes m LEFT JOIN institutions i ON i.id = m.institution_id ORDER BY m.name`,
    );
    return rows.map(toView);
  }

  async get(id: string): Promise<MailboxView> {
    const [row] = await this.dataSource.query(
      `SELECT ${VIEW} FROM mailboxes m LEFT JOIN institutions i ON i.id = m.institution_id WHERE m.id = $1`,
      [id],
    );
    if (!row) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No mailbox ${id}.`);
    return toView(row);
  }

  /** For the reader only: with the password and what the mapper needs. */
  async listForWatching(): Promise<Array<MailboxSettings & { updatedAt: string }>> {
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT m.*, i.code AS institution_code FROM mailboxes m LEFT JOIN institutions i ON i.id = m.institution_id WHERE m.enabled`,
    );
    const readable: Array<Record<string, any>> = [];
    for (const r of rows) {
      try {
        readable.push({ ...r, password: this.cipher.open(r.password, 'mailboxes.password') });
      } catch (error) {
        // One mailbox whose password no configured key opens must not stop the others.
        this.logger.error(
          { mailbox: r.name, reason: (error as Error).message },
          'mailbox not watched: its stored password does not open; set it again',
        );
      }
    }
    return readable.map((r) => ({
      id: r.id,
      name: r.name,
      address: r.address,
      institutionCode: r.institution_code,
      referencePrefix: this.config.TICKET_REFERENCE_PREFIX,
      host: r.host,
      port: r.port,
      tls: r.tls,
      username: r.username,
      password: r.password,
      folder: r.folder,
      processedAction: r.processed_action,
      processedFolder: r.processed_folder,
      updatedAt: new Date(r.updated_at).toISOString(),
    }));
  }

  async create(input: MailboxInput): Promise<MailboxView> {
    const institutionId = await this.institutionId(input.institution);
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO mailboxes (name, address, institution_id, host, port, tls, username, password, folder, processed_action, processed_folder, enabled)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (name) DO NOTHING RETURNING id`,
      [
        input.name,
        input.address.toLowerCase(),
        institutionId,
        input.host,
        input.port,
        input.tls,
        input.username,
        this.cipher.seal(input.password, 'mailboxes.password'),
        input.folder ?? 'INBOX',
        input.processedAction ?? 'flag',
        input.processedFolder ?? 'Processed',
        input.enabled ?? true,
      ],
    );
    if (rows.length === 0) throw new ProblemException(HttpStatus.CONFLICT, 'conflict', 'Conflict', `A mailbox named ${input.name} exists.`);
    return this.get(rows[0].id);
  }

  async update(id: string, input: Partial<MailboxInput>): Promise<MailboxView> {
    await this.get(id);
    const sets: string[] = [];
    const params: unknown[] = [id];
    const set = (column: string, value: unknown) => sets.push(`${column} = $${params.push(value)}`);
    if (input.name !== undefined) set('name', input.name);
    if (input.address !== undefined) set('address', input.address.toLowerCase());
    if (input.institution !== undefined) set('institution_id', await this.institutionId(input.institution));
    if (input.host !== undefined) set('host', input.host);
    if (input.port !== undefined) set('port', input.port);
    if (input.tls !== undefined) set('tls', input.tls);
    if (input.username !== undefined) set('username', input.username);
    if (input.password !== undefined) set('password', this.cipher.seal(input.password, 'mailboxes.password'));
    if (input.folder !== undefined) set('folder', input.folder);
    if (input.processedAction !== undefined) set('processed_action', input.processedAction);
    if (input.processedFolder !== undefined) set('processed_folder', input.processedFolder);
    if (input.enabled !== undefined) set('enabled', input.enabled);
    if (sets.length > 0) await this.dataSource.query(`UPDATE mailboxes SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, params);
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.dataSource.query('DELETE FROM mailboxes WHERE id = $1', [id]);
  }

  async loadCheckpoint(id: string): Promise<{ uidValidity: string | null; lastUid: number }> {
    const [row] = await this.dataSource.query('SELECT uid_validity, last_uid FROM mailboxes WHERE id = $1', [id]);
    return { uidValidity: row?.uid_validity ?? null, lastUid: Number(row?.last_uid ?? 0) };
  }

  /** A new UIDVALIDITY resets the position; within one, the position only moves forward. */
  async saveCheckpoint(id: string, uidValidity: string, lastUid: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE mailboxes SET last_uid = CASE WHEN uid_validity IS DISTINCT FROM $2::bigint THEN $3 ELSE GREATEST(last_uid, $3) END,
              uid_validity = $2::bigint
       WHERE id = $1`,
      [id, uidValidity, lastUid],
    );
  }

  stateKey(id: string): string {
    return `${this.config.REDIS_PREFIX}:mailbox-state:${id}`;
  }

  async statuses(): Promise<Array<{ name: string; address: string } & MailboxStatus>> {
    const mailboxes: Array<{ id: string; name: string; address: string }> = await this.dataSource.query(
      'SELECT id, name, address FROM mailboxes WHERE enabled ORDER BY name',
    );
    if (mailboxes.length === 0) return [];
    const redis = await redisOf(this.queue);
    const states = await getMany(
      redis,
      mailboxes.map((m) => this.stateKey(m.id)),
    );
    return mailboxes.map((m, i) => {
      const s = states[i] ? (JSON.parse(states[i]) as MailboxStatus) : null;
      return { name: m.name, address: m.address, state: s?.state ?? 'unknown', since: s?.since ?? null, error: s?.error ?? null };
    });
  }

  private async institutionId(code: string | null | undefined): Promise<string | null> {
    if (!code) return null;
    const [row] = await this.dataSource.query('SELECT id FROM institutions WHERE code = $1', [code.toUpperCase()]);
    if (!row) throw validationProblem([{ field: 'institution', code: 'unknown', message: `no institution has the code ${code}` }]);
    return row.id;
  }
}
