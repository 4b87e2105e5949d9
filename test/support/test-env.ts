import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { signTimestampedHmac } from '@lib/webhook-signature';
import { Redis } from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { configureHttp, httpAdapter } from '../../src/http-setup';
import type { AcceptedEvent } from '../../src/inbound/inbound-message';
import { webformSubmission } from './factories';

export const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const WEBFORM_SECRET = 'test-webform-secret-0123456789abcdef';
export const ADMIN_EMAIL = 'admin@vpppd.test';
export const ADMIN_PASSWORD = 'the test centre passphrase';
export const METRICS_TOKEN = 'test-metrics-token-0123456789abcdefghij';
/** The key the secrets in PostgreSQL are encrypted under in tests (32 bytes, hex). */
export const TEST_DATA_ENCRYPTION_KEY = '7e57'.repeat(16);
/** The header a monitoring system sends to scrape /metrics and read /health's details. */
export const MONITORING = { Authorization: `Bearer ${METRICS_TOKEN}` };

/**
 * Each test file gets its own PostgreSQL schema and Redis key prefix, so files (and parallel CI runs) never
 * see each other's data. Everything is real: the migrations, the queues, the HTTP stack.
 */
export class TestEnv {
  readonly name = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  private readonly apps: Array<INestApplication | INestApplicationContext> = [];

  /** Fault tests pass their own private servers; everything else shares the machine's. */
  constructor(private readonly servers: { databaseUrl?: string; redisUrl?: string } = {}) {}

  get databaseUrl(): string {
    return this.servers.databaseUrl ?? DATABASE_URL;
  }

  get redisUrl(): string {
    return this.servers.redisUrl ?? REDIS_URL;
  }

  config(overrides: Record<string, string> = {}): AppConfig {
    return loadConfig(this.variables(overrides));
  }

  /** The environment variables this file's processes run with, as an operator would set them. */
  variables(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      DATABASE_URL: this.databaseUrl,
      DATABASE_SCHEMA: this.name,
      REDIS_URL: this.redisUrl,
      REDIS_PREFIX: this.name,
      WEBFORM_SECRET,
      JWT_SECRET: 'test-jwt-secret-0123456789abcdefghijkl',
      DATA_ENCRYPTION_KEY: TEST_DATA_ENCRYPTION_KEY,
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
      METRICS_TOKEN,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      DATABASE_POOL_SIZE: '10',
      INBOUND_BATCH_WAIT_MS: '2',
      ...overrides,
    };
  }

  /** The HTTP application exactly as main.ts builds it, listening on a loopback port (random unless given). */
  async startApi(overrides: Record<string, string> = {}, port = 0): Promise<NestFastifyApplication> {
    const config = this.config({ APP_ROLE: 'api', ...overrides });
    const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), httpAdapter(config), {
      bodyParser: false,
      logger: false,
    });
    configureHttp(app);
    await app.listen(port, '127.0.0.1');
    this.apps.push(app);
    return app;
  }

  async startWorker(overrides: Record<string, string> = {}): Promise<INestApplicationContext> {
    const context = await NestFactory.createApplicationContext(AppModule.forRoot(this.config({ APP_ROLE: 'worker', ...overrides })), {
      logger: false,
    });
    context.enableShutdownHooks();
    await context.init();
    this.apps.push(context);
    return context;
  }

  async stop(app: INestApplication | INestApplicationContext): Promise<void> {
    const i = this.apps.indexOf(app);
    if (i >= 0) this.apps.splice(i, 1);
    await app.close();
  }

  async sql<T = Record<string, any>>(text: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.databaseUrl, options: `-c search_path=${this.name}` });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  /** The ticket an accepted inbound event became (with its institution's and queue's codes), once it has. */
  async ticketOfEvent(eventId: string): Promise<Record<string, any>> {
    return eventually(async () => {
      const [t] = await this.sql(
        `SELECT t.*, i.code AS institution, q.code AS queue FROM inbound_events e JOIN tickets t ON t.id = e.ticket_id
         LEFT JOIN institutions i ON i.id = t.institution_id LEFT JOIN queues q ON q.id = t.queue_id WHERE e.id = $1`,
        [eventId],
      );
      return t;
    });
  }

  /**
   * The ticket's customer writing again by e-mail, as the inbound queue hands the event to the ticket writer: for
   * tests that choose the batch it goes in (TicketIngestService.ingest).
   */
  async customerReply(
    reference: string,
    { eventId = randomUUID(), text = 'Izziņa pielikumā.' }: { eventId?: string; text?: string } = {},
  ): Promise<AcceptedEvent> {
    const [id] = await this.sql(
      `SELECT i.value FROM customer_identifiers i JOIN tickets t ON t.customer_id = i.customer_id WHERE t.reference = $1 AND i.kind = 'email'`,
      [reference],
    );
    return {
      eventId,
      receivedAt: new Date().toISOString(),
      reference: null,
      message: {
        channel: 'email',
        externalId: `<${randomUUID()}@example.lv>`,
        from: { address: id.value, identifiers: [{ kind: 'email', value: id.value, provenance: 'channel' }] },
        threadHints: { reference },
        subject: `Re: [${reference}]`,
        text,
        attachmentIds: [],
      },
    };
  }

  /** A signed web-form submission that has become a ticket; resolves to its reference. */
  async submitTicket(app: INestApplication, overrides: Record<string, unknown> = {}): Promise<string> {
    const res = await signedSubmission(app, webformSubmission(overrides)).expect(202);
    await eventually(async () => (await this.sql('SELECT 1 FROM tickets WHERE reference = $1', [res.body.reference])).length === 1);
    return res.body.reference as string;
  }

  async teardown(): Promise<void> {
    for (const app of this.apps.splice(0).reverse()) await app.close().catch(() => undefined);
    const client = new Client({ connectionString: this.databaseUrl });
    await client.connect().catch(() => undefined);
    await client.query(`DROP SCHEMA IF EXISTS "${this.name}" CASCADE`).catch(() => undefined);
    await client.end().catch(() => undefined);
    // One attempt: a fault test may have killed the server this points at.
    const redis = new Redis(this.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    try {
      await redis.connect();
      const keys = await redis.keys(`${this.name}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    } catch {
      redis.disconnect();
    }
  }
}

/** Polls until `probe` returns a truthy value, or fails with the last value seen. */
export async function eventually<T>(probe: () => Promise<T>, { timeoutMs = 20000, everyMs = 50 } = {}): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < until) {
    last = await probe();
    if (last) return last;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
}

export function signedSubmission(app: INestApplication, body: unknown, options: { secret?: string; at?: number; raw?: string } = {}) {
  const raw = options.raw ?? JSON.stringify(body);
  const at = options.at ?? Math.floor(Date.now() / 1000);
  return request(app.getHttpServer())
    .post('/v1/channels/webform/submissions')
    .set('Content-Type', 'application/json')
    .set('X-Signature', signTimestampedHmac(options.secret ?? WEBFORM_SECRET, raw, at))
    .send(raw);
}

export async function login(app: INestApplication, email = ADMIN_EMAIL, password = ADMIN_PASSWORD): Promise<string> {
  const res = await request(app.getHttpServer()).post('/v1/auth/login').send({ email, password }).expect(200);
  return res.body.accessToken;
}
