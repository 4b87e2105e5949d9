import { parseNetwork } from '@lib/network-guard';
import { passwordPolicyProblems } from '@lib/password-hash';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
  getMetadataStorage,
  validateSync,
} from 'class-validator';
import { NotPlaceholderInProduction } from './placeholder-secrets';
import { parseHostPorts } from './host-ports';
import { parseTrustProxy, TrustProxySetting, trustProxyProblem } from './trust-proxy';
import { ROLES } from '../agents/entities/agent.entity';
import { parseClamdAddress } from '../scanning/clamd-address';
import { parseSecretKey } from '@lib/secret-box';
import { availableParallelism } from 'node:os';

export const APP_ROLES = ['api', 'worker', 'all'] as const;
export type AppRole = (typeof APP_ROLES)[number];
export const APP_ENVS = ['production', 'development'] as const;

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const toBool = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') return value; // a boolean already, or left for IsBoolean to refuse
  const v = value.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value; // left as a string so IsBoolean names the variable
};

/** https anywhere; plain http only to this machine (a provider run beside the service, or in tests). */
const SECURE_URL = /^(https:\/\/[^\s/?#]+|http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?)(\/[^\s?#]*)?$/;
const oidcConfigured = (c: AppConfig) => !!(c.OIDC_ISSUER_URL || c.OIDC_CLIENT_ID || c.OIDC_CLIENT_SECRET || c.OIDC_REDIRECT_URI);

/**
 * The whole configuration, read from the environment once at start.
 * Property names are the environment variable names so that a validation error names exactly what to fix.
 */
export class AppConfig {
  @IsIn(APP_ROLES)
  APP_ROLE: AppRole = 'all';

  /**
   * `production` (the default, so that forgetting it is safe) refuses the placeholder secrets of .env.example;
   * `development` accepts them, for a developer's machine. Nothing else depends on it.
   */
  @IsIn(APP_ENVS)
  APP_ENV: (typeof APP_ENVS)[number] = 'production';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3000;

  @IsString()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL: string;

  /** Lets several installations (or test runs) share one database, each in its own schema. */
  @IsString()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'DATABASE_SCHEMA must be a lower-case SQL identifier' })
  DATABASE_SCHEMA = 'public';

  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(200)
  DATABASE_POOL_SIZE = 20;

  /**
   * Streaming replicas (comma-separated postgres:// URLs) for reads that tolerate a second of lag: reports and
   * their exports, the board, the knowledge search. Empty: everything reads from DATABASE_URL.
   */
  @Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v !== '')
      : value,
  )
  @IsString({ each: true })
  @Matches(/^postgres(ql)?:\/\/.+/, { each: true, message: 'DATABASE_REPLICA_URLS must be comma-separated postgres:// URLs' })
  DATABASE_REPLICA_URLS: string[] = [];

  @Transform(toBool)
  @IsBoolean()
  RUN_MIGRATIONS = true;

  /** One Redis server (or a proxy in front of one). Not needed when REDIS_SENTINELS or REDIS_CLUSTER_NODES is set. */
  @ValidateIf((c: AppConfig) => (!c.REDIS_SENTINELS && !c.REDIS_CLUSTER_NODES) || c.REDIS_URL !== undefined)
  @IsString()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL (or set REDIS_SENTINELS or REDIS_CLUSTER_NODES)' })
  REDIS_URL: string;

  /**
   * Highly available Redis through Sentinel: the sentinels' `host:port` pairs, comma-separated. ioredis asks them
   * for the current primary and follows a failover by itself. Takes the place of REDIS_URL.
   */
  @IsOptional()
  @ValidateBy({
    name: 'hostPortList',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parseHostPorts(value) !== null,
      defaultMessage: () => 'REDIS_SENTINELS must be comma-separated host:port pairs, e.g. 10.0.0.1:26379,10.0.0.2:26379',
    },
  })
  REDIS_SENTINELS?: string;

  /**
   * A Redis Cluster instead: some of its nodes' `host:port` pairs, comma-separated (the rest are learnt from them).
   * Takes the place of REDIS_URL; cannot be combined with REDIS_SENTINELS (a cluster fails over by itself).
   */
  @IsOptional()
  @ValidateBy({
    name: 'clusterNodeList',
    validator: {
      validate: (value: unknown, args) =>
        typeof value === 'string' && parseHostPorts(value) !== null && !(args?.object as AppConfig | undefined)?.REDIS_SENTINELS,
      defaultMessage: (args) =>
        (args?.object as AppConfig | undefined)?.REDIS_SENTINELS && parseHostPorts(String(args?.value)) !== null
          ? 'REDIS_CLUSTER_NODES and REDIS_SENTINELS cannot both be set: a Redis Cluster fails over by itself'
          : 'REDIS_CLUSTER_NODES must be comma-separated host:port pairs, e.g. 10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379',
    },
  })
  REDIS_CLUSTER_NODES?: string;

  /** The primary's name the sentinels monitor (`sentinel monitor <name> ...`); required with REDIS_SENTINELS. */
  @ValidateIf((c: AppConfig) => !!c.REDIS_SENTINELS || c.REDIS_SENTINEL_NAME !== undefined)
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, {
    message: 'REDIS_SENTINEL_NAME (required with REDIS_SENTINELS) may hold letters, digits, ., _ and - only',
  })
  REDIS_SENTINEL_NAME?: string;

  /** The sentinels' own password (`requirepass` of sentinel.conf), when they have one. */
  @IsOptional()
  @IsString()
  REDIS_SENTINEL_PASSWORD?: string;

  /** The password of the Redis servers behind the sentinels or of the cluster's nodes (with REDIS_URL it is part of the URL). */
  @IsOptional()
  @IsString()
  REDIS_PASSWORD?: string;

  /**
   * Key prefix for every BullMQ queue, so installations and test runs sharing one Redis never collide. On a Redis
   * Cluster the queues' prefix is this in braces (`{vp}`), a hash tag: BullMQ's scripts touch several keys of a queue.
   */
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'REDIS_PREFIX may hold letters, digits, _ and - only' })
  REDIS_PREFIX = 'vp';

  /**
   * Encrypts the secrets the service keeps in PostgreSQL (mailbox passwords, webhook signing secrets) with
   * AES-256-GCM: 32 random bytes as 64 hex digits or base64 (`openssl rand -base64 32`).
   */
  @ValidateBy({
    name: 'secretKey',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parseSecretKey(value) !== null,
      defaultMessage: () => 'DATA_ENCRYPTION_KEY must be 32 random bytes as 64 hex digits or base64 (openssl rand -base64 32)',
    },
  })
  @NotPlaceholderInProduction()
  DATA_ENCRYPTION_KEY: string;

  /** During a key rotation, the key being replaced: values under it still open until `npm run secrets:reencrypt`. */
  @IsOptional()
  @ValidateBy({
    name: 'previousSecretKey',
    validator: {
      validate: (value: unknown, args) =>
        typeof value === 'string' &&
        parseSecretKey(value) !== null &&
        parseSecretKey(value)!.id !== parseSecretKey(String((args?.object as AppConfig).DATA_ENCRYPTION_KEY ?? ''))?.id,
      defaultMessage: () => 'DATA_ENCRYPTION_KEY_PREVIOUS must be a 32-byte key like DATA_ENCRYPTION_KEY, and a different one',
    },
  })
  DATA_ENCRYPTION_KEY_PREVIOUS?: string;

  @IsString()
  @MinLength(32, { message: 'WEBFORM_SECRET must be at least 32 characters' })
  @NotPlaceholderInProduction()
  WEBFORM_SECRET: string;

  @Transform(toInt)
  @IsInt()
  @Min(30)
  @Max(3600)
  WEBFORM_MAX_SKEW_SECONDS = 300;

  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  @NotPlaceholderInProduction()
  JWT_SECRET: string;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(86400)
  JWT_TTL_SECONDS = 900;

  /** How long a session may be renewed without signing in again: a working shift. */
  @Transform(toInt)
  @IsInt()
  @Min(300)
  @Max(30 * 86400)
  JWT_REFRESH_TTL_SECONDS = 43200;

  /**
   * Failed logins in a row, from all sources together, that lock the account for AUTH_LOCKOUT_SECONDS. Kept well
   * above AUTH_MAX_FAILED_LOGINS_PER_SOURCE, so that locking someone out takes many sources, not one.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  AUTH_MAX_FAILED_LOGINS = 50;

  /** Failed logins for one account from one source (an IPv4 address, an IPv6 /64) within AUTH_LOCKOUT_SECONDS; then 429. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  AUTH_MAX_FAILED_LOGINS_PER_SOURCE = 5;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(86400)
  AUTH_LOCKOUT_SECONDS = 900;

  // --- Per-source request limits (Redis, shared by every API instance); beyond them: 429 with Retry-After ---

  /** Login attempts a minute from one source, for any accounts (the cheap check before the password hash). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_LOGIN_PER_MINUTE = 60;

  /** Web-form submissions a minute from one source: the portal's few servers send them all, so this is high. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_WEBFORM_PER_MINUTE = 600;

  /** Requests a minute from one source to the channel webhooks (Meta, Telegram, Twilio each send from a few addresses). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_WEBHOOKS_PER_MINUTE = 1200;

  /** Survey page views and answers a minute from one source. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_CSAT_PER_MINUTE = 30;

  /** Case-status page views and lookups (`/case`, `/v1/public/cases/…`) a minute from one source. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_CASES_PER_MINUTE = 10;

  /**
   * Lookups of one reference with an e-mail or phone an hour, from all sources together: guessing whose case a
   * reference is from many addresses stops here (a signed link is not counted).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  CASE_LOOKUPS_PER_REFERENCE_PER_HOUR = 20;

  /**
   * Proxies in front of the API whose X-Forwarded-For is believed, as Express's "trust proxy": a hop count, or a
   * comma-separated list of addresses, CIDR subnets and the names loopback, linklocal, uniquelocal. Empty: none,
   * the connection's address is the client's. Limits, the chat's per-address limit and the logs use the result.
   */
  @Transform(({ value }) => parseTrustProxy(value))
  @ValidateBy({
    name: 'trustProxy',
    validator: {
      validate: (value: unknown) => trustProxyProblem(value) === null,
      defaultMessage: (args) => `TRUST_PROXY ${trustProxyProblem(args?.value)}`,
    },
  })
  TRUST_PROXY: TrustProxySetting = false;
  /**
   * Roles that must sign in with a second factor (TOTP), comma-separated, e.g. `admin,supervisor`. Empty: only
   * staff who enrolled of their own accord are asked for a code.
   */
  @Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean)
      : value,
  )
  @IsIn(ROLES, { each: true, message: `TOTP_REQUIRED_ROLES may name only the roles ${ROLES.join(', ')}` })
  TOTP_REQUIRED_ROLES: string[] = [];

  /** The name authenticator apps show beside the account (the otpauth URI's issuer). */
  @IsString()
  @Matches(/^[^:]{1,64}$/, { message: 'TOTP_ISSUER must be 1-64 characters without a colon' })
  TOTP_ISSUER = 'VPPPD';

  // --- Single sign-on through the state's or an institution's OpenID Connect provider (all four, or none) ---

  /** The provider's issuer (its discovery document is read from it). https, or http on a loopback address only. */
  @ValidateIf(oidcConfigured)
  @Matches(SECURE_URL, { message: 'OIDC_ISSUER_URL must be an https:// URL (http:// only on a loopback address)' })
  OIDC_ISSUER_URL?: string;

  @ValidateIf(oidcConfigured)
  @IsString()
  @MinLength(1, { message: 'OIDC_CLIENT_ID is required with the other OIDC_ settings' })
  OIDC_CLIENT_ID?: string;

  @ValidateIf(oidcConfigured)
  @IsString()
  @MinLength(16, { message: 'OIDC_CLIENT_SECRET must be the client secret the provider issued (at least 16 characters)' })
  OIDC_CLIENT_SECRET?: string;

  /** Registered with the provider; ends in /v1/auth/oidc/callback on the address staff reach this service at. */
  @ValidateIf(oidcConfigured)
  @Matches(SECURE_URL, { message: 'OIDC_REDIRECT_URI must be an https:// URL (http:// only on a loopback address)' })
  @Matches(/\/v1\/auth\/oidc\/callback$/, { message: 'OIDC_REDIRECT_URI must end in /v1/auth/oidc/callback' })
  OIDC_REDIRECT_URI?: string;

  @IsEmail({}, { message: 'ADMIN_EMAIL must be an e-mail address' })
  ADMIN_EMAIL: string;

  @IsString()
  @ValidateBy({
    name: 'passwordPolicy',
    validator: {
      validate: (value: unknown, args) =>
        typeof value === 'string' && passwordPolicyProblems(value, { email: (args?.object as AppConfig).ADMIN_EMAIL }).length === 0,
      defaultMessage: (args) =>
        `ADMIN_PASSWORD ${passwordPolicyProblems(String(args?.value ?? ''), { email: (args?.object as AppConfig).ADMIN_EMAIL }).join(', ')}`,
    },
  })
  @NotPlaceholderInProduction()
  ADMIN_PASSWORD: string;

  @IsString()
  @Matches(/^[A-Z]{1,5}$/, { message: 'TICKET_REFERENCE_PREFIX must be 1-5 capital letters' })
  TICKET_REFERENCE_PREFIX = 'VP';

  /** How many inbound jobs one worker holds at once; they are written to PostgreSQL in batches. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  INBOUND_CONCURRENCY = 1000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  INBOUND_BATCH_SIZE = 1000;

  /** How long the first event of a batch waits for company before the batch is written. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000)
  INBOUND_BATCH_WAIT_MS = 100;

  /** How often workers look for accepted events whose job was lost (Redis restarted without its data). */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  INBOUND_SWEEP_INTERVAL_MS = 60000;

  /**
   * How many outbound jobs one worker holds at once; they are delivered in batches. Mail beyond the SMTP
   * connections waits in the transport's own queue.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  OUTBOUND_CONCURRENCY = 200;

  /** Outbound messages read, sent concurrently and recorded together. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  OUTBOUND_BATCH_SIZE = 100;

  /** How long the first outbound message of a batch waits for company: an operator's reply waits this much more. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000)
  OUTBOUND_BATCH_WAIT_MS = 20;

  /**
   * At most this many outbound jobs of one channel are in hand at once in a worker; the others wait, delayed, out of
   * the worker's way. A channel whose provider stalls (an SMTP server that stops answering) would otherwise hold
   * every one of the OUTBOUND_CONCURRENCY jobs while they wait for it, and no chat, WhatsApp or SMS reply would leave.
   * By default a tenth of OUTBOUND_CONCURRENCY (at least one) is kept for the other channels: a burst of one channel
   * then has only that many jobs taken and held back again and again (each time a read of the message), not all.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  OUTBOUND_CHANNEL_MAX_IN_FLIGHT?: number;

  /** OUTBOUND_CHANNEL_MAX_IN_FLIGHT as set, or OUTBOUND_CONCURRENCY less a tenth. */
  get outboundChannelMaxInFlight(): number {
    const concurrency = this.OUTBOUND_CONCURRENCY;
    return this.OUTBOUND_CHANNEL_MAX_IN_FLIGHT ?? Math.max(1, concurrency - Math.max(1, Math.ceil(concurrency / 10)));
  }

  /** How often workers queue again stored replies still `queued` whose job Redis lost (a restart, a failover). */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  OUTBOUND_SWEEP_INTERVAL_MS = 60000;

  /**
   * How long (ms) an API instance trusts its own answer to "is this session still open" before asking PostgreSQL
   * again. A logout, a new password or a disabled account reaches every instance at once through Redis, so this
   * only bounds how stale roles and institutions can be if that message is lost; 0 asks PostgreSQL on every request.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60000)
  SESSION_CACHE_TTL_MS = 5000;

  /** How often a worker re-adds SLA timers due soon from PostgreSQL (timers lost with Redis come back within it). */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  SLA_SWEEP_INTERVAL_MS = 60000;

  /** How often snoozed tickets due are woken, reminders due announced, and tickets whose closing notice has gone closed. */
  @Transform(toInt)
  @IsInt()
  @Min(200)
  FOLLOW_UP_SWEEP_INTERVAL_MS = 30000;

  /** How often tickets left pending the customer are checked against the auto-close policies (working days). */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  AUTO_CLOSE_INTERVAL_MS = 3600000;

  /**
   * Where this service is reached from outside (scheme and host, behind any proxy): links sent to customers (the
   * satisfaction survey) start with it, and Twilio signs the URL it called, so voice signatures are checked against it.
   */
  @Transform(({ value }) => (typeof value === 'string' ? value.replace(/\/+$/, '') : value))
  @Matches(/^https?:\/\/[^/?#\s]+$/, { message: 'PUBLIC_BASE_URL must be like https://host (scheme and host, no path)' })
  PUBLIC_BASE_URL = 'http://localhost:3000';

  /** How long a survey link in a resolution e-mail stays valid. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(365)
  CSAT_LINK_TTL_DAYS = 30;

  /** How long the case-status link in an acknowledgement stays valid (a case may take months with extensions). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(730)
  CASE_LINK_TTL_DAYS = 180;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /**
   * Bearer token of the monitoring system: GET /metrics needs it, and with it GET /health shows its details.
   * Unset: /metrics answers 404 (nothing about the service is served to anyone).
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._~+/=-]{32,256}$/, { message: 'METRICS_TOKEN must be 32-256 characters of A-Z a-z 0-9 . _ ~ + / = -' })
  METRICS_TOKEN?: string;

  /** Serve the OpenAPI description and its browser at /docs; turn off where the API faces the internet. */
  @Transform(toBool)
  @IsBoolean()
  API_DOCS = true;

  // --- Presence, routing and realtime ---

  /** An agent whose socket has not sent a heartbeat for this long is offline (a closed laptop sends no goodbye). */
  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(3600)
  PRESENCE_TIMEOUT_SECONDS = 60;

  /** How often workers put silent agents offline and offer waiting work again (a safety net for lost signals). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(600)
  ROUTING_SWEEP_SECONDS = 15;

  /** How often (s) workers push the live board to supervisors' sockets. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(600)
  SUPERVISOR_BOARD_PUSH_SECONDS = 10;

  /** Origins of the agents' web app allowed to open the realtime socket, comma-separated; empty: same origin only. */
  @Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean)
      : value,
  )
  @IsString({ each: true })
  REALTIME_CORS_ORIGINS: string[] = [];

  // --- Outbound webhooks (institutions' own systems) ---

  /**
   * Networks (CIDR or single addresses, comma-separated) webhook subscriptions may reach although they are private,
   * loopback or link-local, e.g. an institution's system on the state's internal network. Empty: public addresses
   * only, so an admin's typo or a stolen admin token cannot aim deliveries at the centre's own network.
   */
  @Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean)
      : value,
  )
  @ValidateBy({
    name: 'networkList',
    validator: {
      validate: (value: unknown) => Array.isArray(value) && value.every((v) => typeof v === 'string' && parseNetwork(v) !== null),
      defaultMessage: () => 'WEBHOOK_ALLOWED_NETWORKS must be comma-separated addresses or CIDR networks, like 10.20.0.0/16,fd00::/8',
    },
  })
  WEBHOOK_ALLOWED_NETWORKS: string[] = [];

  // --- Chat (socket.io at /chat for visitors) ---

  /** A visitor may send this many messages in a burst... */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  CHAT_RATE_BURST = 10;

  /** ...refilled at this many a minute; beyond it a message is refused with an ack error, never silently dropped. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(60000)
  CHAT_RATE_PER_MINUTE = 30;

  /** New chat sessions one address may start in an hour (a script opening sessions in a loop is refused). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  CHAT_SESSIONS_PER_HOUR = 30;

  /** How long a quiet session can be resumed with its token; its ticket stays for ever. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(24 * 30)
  CHAT_SESSION_TTL_HOURS = 24;

  /** Largest file a visitor may send in the chat (bytes); the type rules are the web form's. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(10 * 1024 * 1024)
  CHAT_MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;

  /** Topics the assistant never tries to answer: the chat goes to a person at once. Comma-separated. */
  @Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((v) => v.trim().toLocaleLowerCase('lv'))
          .filter(Boolean)
      : value,
  )
  @IsString({ each: true })
  CHAT_HANDOVER_TOPICS: string[] = [];

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  SHUTDOWN_GRACE_MS = 10000;

  // --- E-mail in: the default mailbox. More mailboxes are added through the admin API. ---

  /** Leave unset to run without a mailbox from the environment. */
  @IsOptional()
  @IsString()
  IMAP_HOST?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  IMAP_PORT = 993;

  @Transform(toBool)
  @IsBoolean()
  IMAP_TLS = true;

  @ValidateIf((c: AppConfig) => !!c.IMAP_HOST)
  @IsString()
  @MinLength(1)
  IMAP_USER?: string;

  @ValidateIf((c: AppConfig) => !!c.IMAP_HOST)
  @IsString()
  @MinLength(1)
  IMAP_PASSWORD?: string;

  /** The address people write to; replies to tickets that came in here are sent from it. Defaults to IMAP_USER. */
  @IsOptional()
  @IsEmail()
  IMAP_ADDRESS?: string;

  @IsString()
  IMAP_FOLDER = 'INBOX';

  /** What happens to a message once it is safely accepted: `flag` it \Seen, or `move` it to IMAP_PROCESSED_FOLDER. */
  @IsIn(['flag', 'move'])
  IMAP_PROCESSED = 'flag';

  @IsString()
  IMAP_PROCESSED_FOLDER = 'Processed';

  /** Institution code the default mailbox belongs to, if it is an institution's own. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/)
  IMAP_INSTITUTION?: string;

  /** Used only when the server does not offer IDLE. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  IMAP_POLL_INTERVAL_MS = 30000;

  // --- E-mail out ---

  @IsOptional()
  @IsString()
  SMTP_HOST?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  SMTP_PORT = 587;

  /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
  @Transform(toBool)
  @IsBoolean()
  SMTP_TLS = false;

  @IsOptional()
  @IsString()
  SMTP_USER?: string;

  @IsOptional()
  @IsString()
  SMTP_PASSWORD?: string;

  /** SMTP connections kept open and shared by all outgoing mail (acknowledgements, replies) of one process. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50)
  SMTP_MAX_CONNECTIONS = 4;

  /**
   * The longest an SMTP server may take to accept a connection, to greet, or to answer any one command. A send that
   * waits longer fails and is retried with backoff (nodemailer's own defaults let a stalled server hold a mail for
   * ten minutes).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(600_000)
  SMTP_TIMEOUT_MS = 60_000;

  /** Sender of mail that does not go out from a mailbox of its own, e.g. "VPPPD <pakalpojumi@example.lv>". */
  @ValidateIf((c: AppConfig) => !!c.SMTP_HOST)
  @IsString()
  @Matches(/@/, { message: 'MAIL_FROM must contain an e-mail address' })
  MAIL_FROM?: string;

  /** At most this many automatic acknowledgements to one sender in 24 hours (mail-loop brake). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(100)
  EMAIL_ACK_MAX_PER_DAY = 3;

  /**
   * Level 0's classifier: below this confidence in the institution, a free-text contact goes to the general level-1
   * queue marked unclassified (0–1; 0 trusts every prediction, 1 classifies nothing).
   */
  @Transform(toInt)
  @IsNumber()
  @Min(0)
  @Max(1)
  CLASSIFIER_MIN_CONFIDENCE = 0.3;

  /**
   * Level 0 answers a written question by itself (on topics a supervisor turned on) only when the knowledge base's
   * best article scores at least this (0–1; the search calls 0.6 and above an answer).
   */
  @Transform(toInt)
  @IsNumber()
  @Min(0)
  @Max(1)
  LEVEL0_ANSWER_MIN_SCORE = 0.6;

  /** The classifier is retrained from seeds, knowledge articles and operators' corrections this often. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(7 * 24 * 60)
  CLASSIFIER_RETRAIN_MINUTES = 60;

  /** A message for a ticket closed less than this many days ago reopens it; later, it opens a linked follow-up. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(365)
  EMAIL_REOPEN_WINDOW_DAYS = 14;

  /** Larger attachments are dropped (and noted on the message). */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  EMAIL_MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

  /**
   * Worker threads that parse fetched e-mail (MIME, charsets, HTML sanitising), off the thread that serves HTTP and
   * runs the queues; shared by every mailbox this process watches. Default: two, or one on a single core.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(32)
  EMAIL_PARSE_THREADS = Math.min(2, availableParallelism());

  // --- Social networks: Meta (Messenger, Instagram, WhatsApp Cloud API) and Telegram ---

  /** Signs every webhook POST from Meta (X-Hub-Signature-256). Unset: every Meta POST is refused. */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'META_APP_SECRET must be at least 16 characters' })
  META_APP_SECRET?: string;

  /** The token given to Meta when subscribing the webhook. Unset: the verification handshake always fails. */
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'META_VERIFY_TOKEN must be at least 8 characters' })
  META_VERIFY_TOKEN?: string;

  /** Page / system-user access token for sending through the Graph API. Unset: social replies fail with a reason. */
  @IsOptional()
  @IsString()
  META_ACCESS_TOKEN?: string;

  @IsString()
  @Matches(/^https?:\/\/[^\s]+[^/]$/, { message: 'META_GRAPH_BASE_URL must be an http(s) URL without a trailing slash' })
  META_GRAPH_BASE_URL = 'https://graph.facebook.com';

  @IsString()
  @Matches(/^v\d+\.\d+$/, { message: 'META_GRAPH_API_VERSION must look like v21.0' })
  META_GRAPH_API_VERSION = 'v21.0';

  /**
   * The app holds Meta's Human Agent permission: Messenger and Instagram replies carry the HUMAN_AGENT tag and may
   * be sent up to 7 days after the customer's last message instead of 24 hours. WhatsApp stays at 24 hours.
   */
  @Transform(toBool)
  @IsBoolean()
  META_HUMAN_AGENT_TAG = false;

  /** The secret_token given to setWebhook; Telegram sends it in X-Telegram-Bot-Api-Secret-Token. Unset: refused. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{16,256}$/, { message: 'TELEGRAM_SECRET_TOKEN must be 16-256 of A-Z a-z 0-9 _ -' })
  TELEGRAM_SECRET_TOKEN?: string;

  /** The bot token from @BotFather, for sendMessage. Unset: Telegram replies fail with a reason. */
  @IsOptional()
  @Matches(/^\d+:[A-Za-z0-9_-]+$/, { message: 'TELEGRAM_BOT_TOKEN must look like 123456:ABC-DEF...' })
  TELEGRAM_BOT_TOKEN?: string;

  @IsString()
  @Matches(/^https?:\/\/[^\s]+[^/]$/, { message: 'TELEGRAM_API_BASE_URL must be an http(s) URL without a trailing slash' })
  TELEGRAM_API_BASE_URL = 'https://api.telegram.org';

  /** Institution code social contacts belong to, when the centre's pages serve one institution only. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/)
  SOCIAL_INSTITUTION?: string;

  /**
   * Files citizens send on social channels are fetched into the ticket up to this size; larger ones stay a link.
   * The ceiling is the platforms' own: WhatsApp documents reach 100 MB, Telegram bots download at most 20 MB.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(100 * 1024 * 1024)
  SOCIAL_MAX_MEDIA_BYTES = 20 * 1024 * 1024;

  // --- Malware scanning (ClamAV) ---

  /**
   * clamd, which scans every file that arrives before staff may open it: tcp://host:port or the path of its local
   * socket (unix:///run/clamav/clamd.ctl). Unset: files are stored unscanned and served, which the service says at
   * start and on /health; for development only.
   */
  @IsOptional()
  @ValidateBy({
    name: 'clamdAddress',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parseClamdAddress(value) !== null,
      defaultMessage: () =>
        "CLAMAV_URL must be tcp://host:port or the path of clamd's socket (/run/clamav/clamd.ctl or unix:///run/clamav/clamd.ctl)",
    },
  })
  CLAMAV_URL?: string;

  /** How often files that could not be scanned yet (clamd was away) are tried again, in seconds. */
  @Transform(toInt)
  @IsInt()
  @Min(5)
  @Max(3600)
  CLAMAV_SWEEP_SECONDS = 60;

  /** Longest wait for clamd's verdict on one file, in milliseconds. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(600_000)
  CLAMAV_TIMEOUT_MS = 30_000;

  // --- Voice (Twilio) ---

  /** Leave unset to run without the voice channel (its webhooks then refuse every request). */
  @IsOptional()
  @Matches(/^AC[0-9a-fA-F]{32}$/, { message: 'TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits' })
  TWILIO_ACCOUNT_SID?: string;

  @ValidateIf((c: AppConfig) => !!c.TWILIO_ACCOUNT_SID)
  @IsString()
  @MinLength(16, { message: 'TWILIO_AUTH_TOKEN must be the account auth token' })
  TWILIO_AUTH_TOKEN?: string;

  /** API key and secret that sign operators' Voice SDK access tokens. */
  @IsOptional()
  @Matches(/^SK[0-9a-fA-F]{32}$/, { message: 'TWILIO_API_KEY must be SK followed by 32 hex digits' })
  TWILIO_API_KEY?: string;

  @ValidateIf((c: AppConfig) => !!c.TWILIO_API_KEY)
  @IsString()
  @MinLength(16)
  TWILIO_API_SECRET?: string;

  /** The TwiML App whose Voice URL is …/voice/twilio/operator: an operator's browser asks it for the next caller. */
  @ValidateIf((c: AppConfig) => !!c.TWILIO_API_KEY)
  @Matches(/^AP[0-9a-fA-F]{32}$/, { message: 'TWILIO_TWIML_APP_SID must be AP followed by 32 hex digits' })
  TWILIO_TWIML_APP_SID?: string;

  /** The centre's number (E.164): the caller id of call-backs. */
  @IsOptional()
  @Matches(/^\+[1-9][0-9]{6,14}$/, { message: 'TWILIO_CALLER_ID must be an E.164 number like +37167000000' })
  TWILIO_CALLER_ID?: string;

  /**
   * Where level 0's SMS (the reference after a voicemail or a call-back request) are sent from: an SMS-capable number
   * (E.164) or a Messaging Service SID (MG…). Unset: no SMS is sent.
   */
  @IsOptional()
  @Matches(/^(\+[1-9][0-9]{6,14}|MG[0-9a-fA-F]{32})$/, {
    message: 'TWILIO_SMS_FROM must be an E.164 number like +37167000000 or a Messaging Service SID (MG…)',
  })
  TWILIO_SMS_FROM?: string;

  /** Twilio's REST API; only changed to point the client at a recording server in tests. */
  @Matches(/^https?:\/\/[^/?#]+$/, { message: 'TWILIO_API_BASE_URL must be like https://api.twilio.com' })
  TWILIO_API_BASE_URL = 'https://api.twilio.com';

  /** Languages the IVR offers besides Latvian, which is always offered and always first (comma-separated: en,ru; or none). */
  @Matches(/^(none|(en|ru)(,(en|ru))*)$/, {
    message: 'VOICE_EXTRA_LANGUAGES is a comma-separated list of en, ru, or none (Latvian is always offered)',
  })
  VOICE_EXTRA_LANGUAGES = 'en,ru';

  /** Seconds a caller waits for a key press before the menu is repeated. */
  @Transform(toInt)
  @IsInt()
  @Min(3)
  @Max(30)
  VOICE_GATHER_TIMEOUT_SECONDS = 6;

  /** After this many seconds in the queue the caller is offered a voicemail or a call-back. */
  @Transform(toInt)
  @IsInt()
  @Min(30)
  @Max(3600)
  VOICE_MAX_WAIT_SECONDS = 300;

  /** Longest voicemail, in seconds. */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(600)
  VOICE_VOICEMAIL_MAX_SECONDS = 120;

  /** Music played between queue announcements (https URL); silence when unset. */
  @IsOptional()
  @Matches(/^https:\/\/.+/, { message: 'VOICE_HOLD_MUSIC_URL must be an https:// URL' })
  VOICE_HOLD_MUSIC_URL?: string;
}

export class ConfigError extends Error {}

/** Builds and validates the configuration; throws one error listing every wrong or missing variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Every property with a validation rule is a variable; nothing else in the environment is read.
  const known = new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(AppConfig, '', true, false)
      .map((m) => m.propertyName),
  );
  const raw: Record<string, unknown> = {};
  for (const key of known) {
    if (env[key] !== undefined && env[key] !== '') raw[key] = env[key];
  }
  const config = plainToInstance(AppConfig, raw, { exposeDefaultValues: true });
  const errors = validateSync(config, { skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const missing = raw[e.property] === undefined;
      const why = Object.values(e.constraints ?? {}).join('; ');
      return `  ${e.property}: ${missing ? 'is missing' : 'is invalid'} (${why})`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}\nSee .env.example for every variable.`);
  }
  return Object.freeze(config);
}

/** Only what the migration CLI needs, so `npm run migration:run` works without the channels' secrets. */
export function loadDatabaseConfig(
  env: NodeJS.ProcessEnv = process.env,
): Pick<AppConfig, 'DATABASE_URL' | 'DATABASE_SCHEMA' | 'DATABASE_POOL_SIZE'> {
  const url = env.DATABASE_URL;
  if (!url || !/^postgres(ql)?:\/\/.+/.test(url)) {
    throw new ConfigError('Invalid configuration:\n  DATABASE_URL: is missing or not a postgres:// URL\nSee .env.example.');
  }
  const schema = env.DATABASE_SCHEMA || 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError('Invalid configuration:\n  DATABASE_SCHEMA: must be a lower-case SQL identifier');
  }
  return { DATABASE_URL: url, DATABASE_SCHEMA: schema, DATABASE_POOL_SIZE: 5 };
}
