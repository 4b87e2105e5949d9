import 'reflect-metadata';
import { join } from 'node:path';
import { Client } from 'pg';
import { AdvancedConsoleLogger, DataSource, DataSourceOptions, QueryRunner } from 'typeorm';
import { Agent } from '../agents/entities/agent.entity';
import { WebhookDelivery } from '../webhooks/entities/webhook-delivery.entity';
import { WebhookSubscription } from '../webhooks/entities/webhook-subscription.entity';
import { Session } from '../auth/entities/session.entity';
import { AgentTotp } from '../auth/entities/agent-totp.entity';
import { RecoveryCode } from '../auth/entities/recovery-code.entity';
import { ApiToken } from '../auth/entities/api-token.entity';
import { AgentOidcSubject } from '../auth/entities/agent-oidc-subject.entity';
import { BusinessHours } from '../calendar/entities/business-hours.entity';
import { CalendarAdjustment } from '../calendar/entities/calendar-adjustment.entity';
import { Centre } from '../calendar/entities/centre.entity';
import { Mailbox } from '../channels/email/entities/mailbox.entity';
import { Call } from '../channels/voice/entities/call.entity';
import { IvrNode } from '../channels/voice/entities/ivr-node.entity';
import { AuditEvent } from '../audit/entities/audit-event.entity';
import { CustomerIdentifier } from '../customers/entities/customer-identifier.entity';
import { Customer } from '../customers/entities/customer.entity';
import { InboundEvent } from '../inbound/entities/inbound-event.entity';
import { KnowledgeArticle } from '../knowledge/entities/knowledge-article.entity';
import { Institution } from '../institutions/entities/institution.entity';
import { AgentPresence } from '../presence/entities/agent-presence.entity';
import { PresencePeriod } from '../presence/entities/presence-period.entity';
import { Queue } from '../routing/entities/queue.entity';
import { RoutingRule } from '../routing/entities/routing-rule.entity';
import { Attachment } from '../tickets/entities/attachment.entity';
import { Escalation } from '../tickets/entities/escalation.entity';
import { Message } from '../tickets/entities/message.entity';
import { TicketContact } from '../tickets/entities/ticket-contact.entity';
import { Ticket } from '../tickets/entities/ticket.entity';
import { SlaClockEvent } from '../sla/entities/sla-clock-event.entity';
import { SlaClock } from '../sla/entities/sla-clock.entity';
import { SlaEvent } from '../sla/entities/sla-event.entity';
import { SlaPolicy } from '../sla/entities/sla-policy.entity';
import { LegalHold } from '../privacy/entities/legal-hold.entity';
import { RetentionPolicy } from '../privacy/entities/retention-policy.entity';
import { SubjectRequestDownload } from '../privacy/entities/subject-request-download.entity';
import { SubjectRequest } from '../privacy/entities/subject-request.entity';
import { ClassifierModelRow } from '../classification/entities/classifier-model.entity';
import { ClassificationCorrection } from '../classification/entities/classification-correction.entity';
import { TopicAutoAnswer } from '../knowledge/entities/topic-auto-answer.entity';
import { Tag } from '../tags/entities/tag.entity';
import { TicketTag } from '../tickets/entities/ticket-tag.entity';
import { CannedAnswer } from '../canned-answers/entities/canned-answer.entity';
import { Macro } from '../canned-answers/entities/macro.entity';
import { CustomFieldDefinition } from '../custom-fields/entities/custom-field-definition.entity';
import { TicketCustomFieldValue } from '../custom-fields/entities/ticket-custom-field-value.entity';
import { AnswerUse } from '../canned-answers/entities/answer-use.entity';
import { SavedView } from '../saved-views/entities/saved-view.entity';
import { TicketReminder } from '../followups/entities/ticket-reminder.entity';
import { AutoCloseNotice, AutoClosePolicy } from '../followups/entities/auto-close.entity';
import { CustomerMerge } from '../customers/entities/customer-merge.entity';

export const ENTITIES = [
  Institution,
  Queue,
  Customer,
  CustomerIdentifier,
  Agent,
  Ticket,
  TicketContact,
  Message,
  Attachment,
  Escalation,
  InboundEvent,
  AuditEvent,
  Mailbox,
  CalendarAdjustment,
  BusinessHours,
  Centre,
  Session,
  WebhookSubscription,
  WebhookDelivery,
  RoutingRule,
  AgentPresence,
  PresencePeriod,
  SlaPolicy,
  SlaClock,
  SlaClockEvent,
  SlaEvent,
  KnowledgeArticle,
  IvrNode,
  Call,
  AgentTotp,
  RecoveryCode,
  ApiToken,
  AgentOidcSubject,
  SubjectRequest,
  SubjectRequestDownload,
  LegalHold,
  RetentionPolicy,
  ClassifierModelRow,
  ClassificationCorrection,
  TopicAutoAnswer,
  Tag,
  TicketReminder,
  AutoClosePolicy,
  AutoCloseNotice,
  TicketTag,
  CannedAnswer,
  Macro,
  AnswerUse,
  SavedView,
  CustomerMerge,
  CustomFieldDefinition,
  TicketCustomFieldValue,
];

/**
 * TypeORM's default logger, counting the statements this process sends (vp_db_statements_total): how many a
 * request path costs is read off the metric, before and after a change.
 */
export class StatementCountingLogger extends AdvancedConsoleLogger {
  statements = 0;

  override logQuery(query: string, parameters?: unknown[], queryRunner?: QueryRunner): void {
    this.statements++;
    super.logQuery(query, parameters, queryRunner);
  }
}

/** The statements a data source built from dataSourceOptions has sent so far (0 for any other). */
export function statementsSent(dataSource: DataSource): number {
  return dataSource.logger instanceof StatementCountingLogger ? dataSource.logger.statements : 0;
}

/**
 * The one set of options used by the app and by the migration CLI. Never `synchronize`: migrations only.
 * With replicas, TypeORM's replication holds a pool per server; `defaultMode: 'master'` keeps every query on the
 * primary unless it asks for a replica (ReplicaReads), so no read-after-write anywhere can see stale rows.
 */
export function dataSourceOptions(db: {
  DATABASE_URL: string;
  DATABASE_SCHEMA: string;
  DATABASE_POOL_SIZE: number;
  DATABASE_REPLICA_URLS?: string[];
}): DataSourceOptions {
  const replicas = db.DATABASE_REPLICA_URLS ?? [];
  return {
    type: 'postgres',
    ...(replicas.length
      ? { replication: { master: { url: db.DATABASE_URL }, slaves: replicas.map((url) => ({ url })), defaultMode: 'master' as const } }
      : { url: db.DATABASE_URL }),
    schema: db.DATABASE_SCHEMA,
    entities: ENTITIES,
    migrations: [join(__dirname, '..', '..', 'migrations', '*.{ts,js}')],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logger: new StatementCountingLogger(),
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    extra: {
      max: db.DATABASE_POOL_SIZE,
      // Unqualified names in migrations and raw queries resolve to our schema.
      options: `-c search_path=${db.DATABASE_SCHEMA},public ${SESSION_SETTINGS}`,
      // Idle connections are kept for minutes, not the driver's 10 s: calls and chats come in bursts after quiet
      // spells, and a burst that must first open its connections (a server process forked for each) answered its
      // first seconds ten times slower than the rest (bench:ivr after a pause).
      idleTimeoutMillis: 300_000,
    },
  };
}

/**
 * Settings of every session of the service. No JIT: our statements return a page, and PostgreSQL compiles a
 * statement whenever its estimated cost passes a threshold, which the correlated subqueries of a search pass on
 * estimates alone; compiling took 11 s of a 12 s inbox search on a loaded machine whose plan ran in 0.7 s.
 */
export const SESSION_SETTINGS = '-c jit=off';

/** Creates the schema if needed and applies pending migrations under an advisory lock, so two starting processes never race. */
export async function migrate(dataSource: DataSource, schema: string): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`migrations:${schema}`]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`migrations:${schema}`]).catch(() => undefined);
    await runner.release();
  }
}

/**
 * The replicas that answer now. TypeORM opens a connection to every replica while it starts and fails the start
 * when one cannot be reached; a replica is an aid to reading, not a dependency, so one that is away is left out
 * (until this process restarts) and the process starts on the others, or on the primary alone.
 */
export async function reachableReplicas(
  urls: string[],
  schema: string,
  onUnreachable: (url: string, error: Error) => void,
): Promise<string[]> {
  const checks = await Promise.all(
    urls.map(async (url) => {
      const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000, options: `-c search_path=${schema},public` });
      // A server shutting down between this check's queries (57P01) emits an event; without a listener it ended the process.
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
        return url;
      } catch (error) {
        onUnreachable(url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@'), error as Error);
        return null;
      } finally {
        await client.end().catch(() => undefined);
      }
    }),
  );
  return checks.filter((u): u is string => u !== null);
}

type PgClient = { on(event: 'error', listener: (error: Error) => void): unknown };
type PgPool = { on(event: 'connect', listener: (client: PgClient) => void): unknown; _clients?: PgClient[] };

/**
 * A pooled connection lent to a transaction has no error listener (the pool only watches idle ones), so PostgreSQL
 * restarting while a transaction is between two queries raised an unhandled 'error' that killed the process. Every
 * connection now gets a listener: the error is logged, the transaction's next query fails and its job is retried,
 * and the pool drops the broken connection when it comes back.
 */
export function watchConnectionErrors(dataSource: DataSource, onError: (error: Error) => void): void {
  const driver = dataSource.driver as unknown as { master?: PgPool; slaves?: PgPool[] };
  const watch = (client: PgClient) => client.on('error', onError);
  for (const pool of [driver.master, ...(driver.slaves ?? [])]) {
    if (!pool) continue;
    for (const client of pool._clients ?? []) watch(client);
    pool.on('connect', watch);
  }
}
