import { InjectQueue } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { InboundService } from '../../inbound/inbound.service';
import { MetricsService } from '../../metrics/metrics.service';
import { redisOf } from '../../common/redis';
import { QueueName } from '../../queues';
import { MailboxesService, MailboxStatus } from './mailboxes.service';
import { EmailParsePool } from './email-parse-pool';
import { MailboxState, MailboxWatcher } from './mailbox-watcher';

// A worker that dies holds its mailboxes until the lease lapses, and its mail waits as long (the soak saw e-mail stop
// for 10 s after a SIGKILL). Leases are renewed before PostgreSQL is asked anything, so a database restart does not
// let them lapse under a live watcher. A 5 s lease renewed every second halved that wait in the soak, but CI's
// e-mail test failed once with it and the cause was not found, so it waits for a session that can show it safe.
// Should a lease lapse, two watchers on one mailbox are safe for the moment it lasts: the pipeline drops a mail it
// already has.
const RECONCILE_EVERY_MS = 2_000;
const LEASE_MS = 10_000;

/** Renews the lease only while this instance still holds it. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Runs one watcher per enabled mailbox. With several workers, a lease in Redis gives each mailbox to exactly one
 * of them; the others take over within a lease period if that worker dies. Mailboxes added, changed or disabled
 * through the admin API are picked up within seconds.
 */
@Injectable()
export class EmailIngestService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EmailIngestService.name);
  private readonly instanceId = randomUUID();
  private readonly watchers = new Map<string, { watcher: MailboxWatcher; version: string; status: MailboxStatus }>();
  private timer: NodeJS.Timeout | null = null;
  private reconciling: Promise<void> | null = null;

  constructor(
    private readonly mailboxes: MailboxesService,
    private readonly inbound: InboundService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    private readonly parser: EmailParsePool,
    @InjectQueue(QueueName.Inbound) private readonly queue: Queue,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.mailboxes.ensureDefault();
    // A per-process timer, not a job scheduler: each process renews the leases of the mailboxes it watches and
    // runs their IMAP connections itself, so every process must reconcile its own watchers (a scheduled job would
    // reach one worker a tick and let the others' leases lapse). Work shared by all workers is on BullMQ schedulers.
    this.timer = setInterval(() => void this.reconcile(), RECONCILE_EVERY_MS);
    this.timer.unref();
    await this.reconcile();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.reconciling;
    const redis = await redisOf(this.queue);
    await Promise.all(
      [...this.watchers.entries()].map(async ([id, w]) => {
        await w.watcher.stop();
        await redis.eval(RELEASE, 1, this.leaseKey(id), this.instanceId).catch(() => undefined);
      }),
    );
    this.watchers.clear();
  }

  private leaseKey(id: string): string {
    return `${this.config.REDIS_PREFIX}:mailbox-lease:${id}`;
  }

  private reconcile(): Promise<void> {
    this.reconciling ??= this.reconcileOnce()
      .catch((error) => this.logger.warn({ err: error }, 'could not reconcile mailbox watchers; will retry'))
      .finally(() => (this.reconciling = null));
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<void> {
    const redis = await redisOf(this.queue);
    const renewed = new Map<string, boolean>();
    for (const id of this.watchers.keys())
      renewed.set(id, (await redis.eval(RENEW, 1, this.leaseKey(id), this.instanceId, LEASE_MS)) === 1);
    const wanted = await this.mailboxes.listForWatching();

    for (const [id, w] of this.watchers) {
      const current = wanted.find((m) => m.id === id);
      const held = renewed.get(id) === true;
      if (!current || !held || current.updatedAt !== w.version) {
        await w.watcher.stop();
        this.watchers.delete(id);
        if (held) await redis.eval(RELEASE, 1, this.leaseKey(id), this.instanceId);
        if (current) this.logger.log({ mailbox: current.name }, held ? 'mailbox settings changed; reconnecting' : 'lost the mailbox lease');
      } else {
        await this.publish(id, w.status);
      }
    }

    for (const mailbox of wanted) {
      if (this.watchers.has(mailbox.id)) continue;
      const got = await redis.set(this.leaseKey(mailbox.id), this.instanceId, 'PX', LEASE_MS, 'NX');
      if (got !== 'OK') continue;
      const entry = {
        version: mailbox.updatedAt,
        status: { state: 'connecting', since: new Date().toISOString(), error: null } as MailboxStatus,
        watcher: null as unknown as MailboxWatcher,
      };
      entry.watcher = new MailboxWatcher(mailbox, {
        parse: (source, context) => this.parser.parse(source, context),
        acceptMany: (messages) => this.inbound.acceptMany(messages),
        loadCheckpoint: (id) => this.mailboxes.loadCheckpoint(id),
        saveCheckpoint: (id, validity, uid) => this.mailboxes.saveCheckpoint(id, validity, uid),
        count: (outcome) => this.metrics.emailMessages.inc({ mailbox: mailbox.name, outcome }),
        onState: (state: MailboxState, error) => {
          if (state === 'disconnected' && entry.status.state !== 'disconnected')
            this.metrics.mailboxDisconnects.inc({ mailbox: mailbox.name });
          if (state !== entry.status.state || error !== entry.status.error) {
            entry.status = { state, since: new Date().toISOString(), error };
            void this.publish(mailbox.id, entry.status);
          }
        },
        pollIntervalMs: this.config.IMAP_POLL_INTERVAL_MS,
      });
      this.watchers.set(mailbox.id, entry);
      this.parser.start();
      entry.watcher.start();
      this.logger.log({ mailbox: mailbox.name }, 'watching mailbox');
    }
  }

  private async publish(id: string, status: MailboxStatus): Promise<void> {
    const redis = await redisOf(this.queue);
    await redis.set(this.mailboxes.stateKey(id), JSON.stringify(status), 'PX', LEASE_MS).catch(() => undefined);
  }
}
