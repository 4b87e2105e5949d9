import { Logger } from '@nestjs/common';
import type { Settled } from '@lib/micro-batcher';
import { ImapFlow } from 'imapflow';
import type { InboundMessage } from '../../inbound/inbound-message';
import type { AcceptResult } from '../../inbound/inbound-message';
import type { MailboxContext } from './email-inbound-mapper';

export type MailboxState = 'connecting' | 'connected' | 'disconnected' | 'stopped';

export interface MailboxSettings extends MailboxContext {
  id: string;
  host: string;
  port: number;
  tls: boolean;
  username: string;
  password: string;
  folder: string;
  processedAction: 'flag' | 'move';
  processedFolder: string;
}

export interface MailboxWatcherDeps {
  /** Parses one raw message into the pipeline's form (EmailParsePool: off this thread); never rejects. */
  parse(source: Buffer, mailbox: MailboxContext): Promise<Settled<InboundMessage>>;
  acceptMany(messages: InboundMessage[]): Promise<AcceptResult[]>;
  loadCheckpoint(mailboxId: string): Promise<{ uidValidity: string | null; lastUid: number }>;
  saveCheckpoint(mailboxId: string, uidValidity: string, lastUid: number): Promise<void>;
  count(outcome: 'fetched' | 'ingested' | 'duplicate' | 'rejected'): void;
  onState(state: MailboxState, error: string | null): void;
  pollIntervalMs: number;
}

const FETCH_CHUNK = 100;
const REJECTED_FLAG = '$VpppdRejected';

/** A chunk as fetched: each message's parsing already under way in the pool. */
interface FetchedChunk {
  uids: number[];
  messages: Array<{ uid: number; parsed: Promise<Settled<InboundMessage>> }>;
}

/**
 * Reads one mailbox: everything above the checkpointed UID is fetched, accepted into the pipeline (durably) and
 * only then checkpointed and flagged or moved, so a crash at any point re-fetches at most two chunks, which the
 * pipeline recognises by Message-ID. The next chunk is fetched (and parsed) while the last one is accepted. New
 * mail arrives by IDLE where the server has it (imapflow falls back to polling), plus a periodic check. A lost
 * connection is retried with exponential backoff.
 */
export class MailboxWatcher {
  private readonly logger: Logger;
  private client: ImapFlow | null = null;
  private stopped = false;
  private syncing: Promise<void> | null = null;
  private syncAgain = false;
  /** The periodic check is due: select the folder again before reading it (see sync). */
  private reopenDue = false;
  private wakeUp: (() => void) | null = null;
  private running: Promise<void> | null = null;

  constructor(
    readonly settings: MailboxSettings,
    private readonly deps: MailboxWatcherDeps,
  ) {
    this.logger = new Logger(`MailboxWatcher:${settings.name}`);
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    const client = this.client;
    if (client) {
      // Let a sync in progress finish its chunk, so its checkpoint is written.
      await this.syncing?.catch(() => undefined);
      await client.logout().catch(() => client.close());
    }
    await this.running;
    this.deps.onState('stopped', null);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let connected = false;
      try {
        connected = await this.connectAndWatch();
      } catch (error) {
        this.deps.onState('disconnected', imapErrorText(error));
        this.logger.warn({ err: error, attempt: failures + 1 }, 'mailbox connection failed');
      }
      if (this.stopped) break;
      failures = connected ? 0 : failures + 1;
      // Every 5 s at most for the first ten tries (a server restarting, a network blip: mail waits for the retry), then
      // backing off to a minute for a server that stays away.
      const delay = Math.min(failures <= 10 ? 5_000 : 60_000, 1000 * 2 ** Math.min(failures, 6)) * (0.75 + Math.random() / 2);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }

  /** Resolves when the connection ends; true when it had been established. */
  private async connectAndWatch(): Promise<boolean> {
    const s = this.settings;
    this.deps.onState('connecting', null);
    const client = new ImapFlow({
      host: s.host,
      port: s.port,
      secure: s.tls,
      auth: { user: s.username, pass: s.password },
      logger: false,
      autoIdleDelay: 1000,
      // A server without IDLE is asked for news this often.
      maxIdleTime: this.deps.pollIntervalMs,
    });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.on('error', (error: Error) => this.logger.warn({ err: error }, 'IMAP connection error'));
    this.client = client;
    await client.connect();
    try {
      if (s.processedAction === 'move') await client.mailboxCreate(s.processedFolder).catch(() => undefined);
      await client.mailboxOpen(s.folder);
      this.deps.onState('connected', null);
      client.on('exists', () => this.requestSync(client));
      const poll = setInterval(() => this.requestSync(client, { reopen: true }), this.deps.pollIntervalMs);
      this.requestSync(client);
      await closed;
      clearInterval(poll);
    } catch (error) {
      // A folder that cannot be opened (missing, renamed, no rights) leaves a logged-in session behind, which the
      // server keeps until its idle timeout (Dovecot: 30 minutes). One per retry soon reaches the server's limit of
      // connections per user and address (Dovecot's default is 10), which locks out the staff's own mail clients too.
      client.close();
      throw error;
    } finally {
      this.client = null;
      if (!this.stopped) {
        // A server or network that drops the connection says nothing more: without this line it would go unseen.
        this.logger.warn('IMAP connection closed by the server or the network; reconnecting');
        this.deps.onState('disconnected', 'connection closed');
      }
    }
    return true;
  }

  private requestSync(client: ImapFlow, options: { reopen?: boolean } = {}): void {
    if (this.stopped) return;
    if (options.reopen) this.reopenDue = true;
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = (async () => {
      do {
        this.syncAgain = false;
        const reopen = this.reopenDue;
        this.reopenDue = false;
        try {
          await this.sync(client, reopen);
        } catch (error) {
          this.logger.warn({ err: error }, 'mailbox sync failed; will retry');
          if (!client.usable) return;
        }
      } while (this.syncAgain && !this.stopped);
    })().finally(() => {
      this.syncing = null;
    });
  }

  private async sync(client: ImapFlow, reopen: boolean): Promise<void> {
    const s = this.settings;
    // A folder deleted and made again under the same name (a server migration, a restore) can go unnoticed by a
    // session that has it selected: Dovecot then keeps showing that session the old folder, its UIDVALIDITY and its
    // mail, and never what arrives in the new one. Only a new SELECT sees the new folder, so the periodic check
    // selects it again (one command every IMAP_POLL_INTERVAL_MS). A folder that cannot be selected ends the
    // session: the reconnect loop then retries it, closes each failed attempt and tells /health the server's reason.
    if (reopen) {
      await client.mailboxOpen(s.folder).catch((error: unknown) => {
        client.close();
        throw error;
      });
    }
    const lock = await client.getMailboxLock(s.folder);
    try {
      const uidValidity = String((client.mailbox as { uidValidity: bigint }).uidValidity);
      let { uidValidity: known, lastUid } = await this.deps.loadCheckpoint(s.id);
      if (known !== uidValidity) {
        // The server renumbered the mailbox: everything is read again and the pipeline drops what it already has.
        if (known !== null) this.logger.warn({ was: known, now: uidValidity }, 'UIDVALIDITY changed; rescanning the mailbox');
        lastUid = 0;
        await this.deps.saveCheckpoint(s.id, uidValidity, 0);
      }
      while (!this.stopped) {
        const found = (await client.search({ uid: `${lastUid + 1}:*` }, { uid: true })) || [];
        // `n:*` always matches the highest UID, even one below n.
        const uids = found.filter((uid) => uid > lastUid).sort((a, b) => a - b);
        if (uids.length === 0) return;
        lastUid = await this.ingestPipelined(client, uids, uidValidity, lastUid);
      }
    } finally {
      lock.release();
    }
  }

  /**
   * Chunk after chunk, one deep: while chunk k is accepted, checkpointed and flagged, chunk k+1 is fetched and its
   * messages parsed. Chunks are still committed strictly in order, each only after the one before it, so the
   * checkpoint never passes a message that is not in the pipeline. Returns the highest UID checkpointed.
   */
  private async ingestPipelined(client: ImapFlow, uids: number[], uidValidity: string, checkpointed: number): Promise<number> {
    let committed: Promise<number> | null = null;
    let lastUid = checkpointed;
    try {
      for (let i = 0; i < uids.length && !this.stopped; i += FETCH_CHUNK) {
        const fetched = await this.fetchChunk(client, uids.slice(i, i + FETCH_CHUNK));
        // The chunk before must be in before this one is: a failure there ends the sync (nothing more is committed).
        if (committed) lastUid = await committed;
        committed = this.commitChunk(client, fetched, uidValidity);
        // Awaited on the next turn; until then its rejection must not count as unhandled.
        void committed.catch(() => undefined);
      }
      if (committed) lastUid = await committed;
    } catch (error) {
      // Whatever is still parsing is dropped: it is fetched again from the checkpoint.
      if (committed) await committed.catch(() => undefined);
      throw error;
    }
    return lastUid;
  }

  private async fetchChunk(client: ImapFlow, uids: number[]): Promise<FetchedChunk> {
    const messages: FetchedChunk['messages'] = [];
    for await (const message of client.fetch(uids.join(','), { uid: true, source: true }, { uid: true })) {
      if (!message.source) continue;
      this.deps.count('fetched');
      // Handed to the pool as it arrives: parsing overlaps the rest of the fetch.
      messages.push({ uid: message.uid, parsed: this.deps.parse(message.source, this.settings) });
    }
    messages.sort((a, b) => a.uid - b.uid);
    return { uids, messages };
  }

  private async commitChunk(client: ImapFlow, chunk: FetchedChunk, uidValidity: string): Promise<number> {
    const s = this.settings;
    const processed: number[] = [];
    const rejected: number[] = [];
    const messages: InboundMessage[] = [];
    for (const { uid, parsed } of chunk.messages) {
      const result = await parsed;
      if (result.ok) {
        messages.push(result.value);
        processed.push(uid);
      } else {
        this.deps.count('rejected');
        this.logger.warn({ err: result.error, uid }, 'could not read a message; left in the mailbox flagged for a person');
        rejected.push(uid);
      }
    }
    // One round trip for the whole chunk. If PostgreSQL is down this throws and nothing is checkpointed.
    const results = await this.deps.acceptMany(messages);
    for (const result of results) this.deps.count(result.duplicate ? 'duplicate' : 'ingested');
    const highest = Math.max(...chunk.uids);
    await this.deps.saveCheckpoint(s.id, uidValidity, highest);
    if (rejected.length) await client.messageFlagsAdd(rejected.join(','), [REJECTED_FLAG], { uid: true }).catch(() => undefined);
    if (processed.length) {
      const range = processed.join(',');
      if (s.processedAction === 'move') await client.messageMove(range, s.processedFolder, { uid: true });
      else await client.messageFlagsAdd(range, ['\\Seen'], { uid: true });
    }
    return highest;
  }
}

/**
 * What the server said, for the mailbox's status: imapflow's message for a refused command is "Command failed",
 * while the server's own text says why ("Mailbox doesn't exist: Arrivals").
 */
export function imapErrorText(error: unknown): string {
  const { responseText, message } = error as { responseText?: unknown; message?: unknown };
  if (typeof responseText === 'string' && responseText.trim() !== '') return responseText.trim();
  return typeof message === 'string' ? message : String(error);
}
