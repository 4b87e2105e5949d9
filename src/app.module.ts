import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Logger, Module, ModuleMetadata } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { pinoHttp } from 'pino-http';
import { DataSource } from 'typeorm';
import { AuthModule } from './auth/auth.module';
import { CaseStatusModule } from './case-status/case-status.module';
import { CalendarModule } from './calendar/calendar.module';
import { ChatModule } from './channels/chat/chat.module';
import { CounterModule } from './channels/counter/counter.module';
import { EmailWorkerModule } from './channels/email/email-worker.module';
import { EmailModule } from './channels/email/email.module';
import { SocialModule } from './channels/social/social.module';
import { SocialWorkerModule } from './channels/social/social-worker.module';
import { VoiceModule } from './channels/voice/voice.module';
import { WebformModule } from './channels/webform/webform.module';
import { AppConfig } from './config/app-config';
import { QueueConnectionCloser } from './common/queue-connection-closer';
import { queueConnection as queueConnectionFor, queuePrefix } from './common/redis-connection';
import { accessLineObject, HTTP_LOGGER, requestLogSerializers } from './common/request-log';
import { LogDestination, MaskingDestination } from './common/masked-log';
import { ConfigModule } from './config/config.module';
import { dataSourceOptions, migrate, reachableReplicas, watchConnectionErrors } from './database/database-options';
import { ReplicaReadsModule } from './database/replica-reads';
import { HealthModule } from './health/health.module';
import { KnowledgeModule } from './knowledge/knowledge.module';
import { MetricsModule } from './metrics/metrics.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { OutboundWorkerModule } from './outbound/outbound-worker.module';
import { RoutingWorkerModule } from './routing/routing-worker.module';
import { RoutingModule } from './routing/routing.module';
import { SupervisionWorkerModule } from './supervision/supervision-worker.module';
import { ClassificationWorkerModule } from './classification/classification-worker.module';
import { SupervisionModule } from './supervision/supervision.module';
import { InboundWorkerModule } from './inbound/inbound-worker.module';
import { TicketsModule } from './tickets/tickets.module';
import { WebhooksWorkerModule } from './webhooks/webhooks-worker.module';
import { SlaModule } from './sla/sla.module';
import { ReportsModule } from './reports/reports.module';
import { ConsoleModule } from './console/console.module';
import { InstitutionsApiModule } from './institutions/institutions-api.module';
import { SlaWorkerModule } from './sla/sla-worker.module';
import { PrivacyModule } from './privacy/privacy.module';
import { AuditApiModule } from './audit/audit-api.module';
import { PrivacyWorkerModule } from './privacy/privacy-worker.module';
import { ScanningWorkerModule } from './scanning/scanning-worker.module';
import { SecretsModule } from './secrets/secrets.module';
import { TagsModule } from './tags/tags.module';
import { CannedAnswersModule } from './canned-answers/canned-answers.module';
import { CustomFieldsModule } from './custom-fields/custom-fields.module';
import { SavedViewsModule } from './saved-views/saved-views.module';
import { CustomersApiModule } from './customers/customers-api.module';
import { FollowUpsModule } from './followups/follow-ups.module';
import { FollowUpsWorkerModule } from './followups/follow-ups-worker.module';

/**
 * One codebase, three roles: `api` serves HTTP, `worker` runs the queues, `all` does both in one process.
 * The modules of a role are chosen here, once, from the validated configuration.
 */
@Module({})
export class AppModule {
  /** `logs` receives the log lines (already masked) instead of stdout: for tests that read them. */
  static forRoot(config: AppConfig, options: { logs?: LogDestination } = {}): DynamicModule {
    const api = config.APP_ROLE === 'api' || config.APP_ROLE === 'all';
    const worker = config.APP_ROLE === 'worker' || config.APP_ROLE === 'all';
    const queueConnection = queueConnectionFor(config);
    const httpLogger = pinoHttp(
      {
        level: config.LOG_LEVEL,
        // Fastify's id (the caller's X-Request-Id when it sent a good one, see http-setup.ts), which it answers with.
        genReqId: (req) => (req as { id?: string }).id ?? randomUUID(),
        serializers: requestLogSerializers,
        customSuccessObject: accessLineObject,
        autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' || req.url === '/metrics' },
      },
      // Personal data never reaches the logs: every line is masked on its way out (src/common/masked-log.ts).
      new MaskingDestination(options.logs),
    );
    const imports: ModuleMetadata['imports'] = [
      ConfigModule.forRoot(config),
      // nestjs-pino's Logger and PinoLogger write through the same pino as the access log; the access log itself
      // is a server hook (requestLogging, http-setup.ts), so no Nest middleware is registered.
      LoggerModule.forRoot({ pinoHttp: { logger: httpLogger.logger }, forRoutes: [] }),
      MetricsModule,
      SecretsModule,
      TypeOrmModule.forRootAsync({
        useFactory: () => dataSourceOptions(config),
        dataSourceFactory: async (options) => {
          const logger = new Logger('Database');
          if (config.DATABASE_REPLICA_URLS.length) {
            const replicas = await reachableReplicas(config.DATABASE_REPLICA_URLS, config.DATABASE_SCHEMA, (url, error) =>
              logger.warn(`the replica ${url} does not answer (${error.message}); reading from the others until a restart`),
            );
            options = dataSourceOptions({ ...config, DATABASE_REPLICA_URLS: replicas });
          }
          const dataSource = await new DataSource(options!).initialize();
          watchConnectionErrors(dataSource, (error) => logger.warn(`a database connection failed: ${error.message}`));
          if (config.RUN_MIGRATIONS) await migrate(dataSource, config.DATABASE_SCHEMA);
          return dataSource;
        },
      }),
      ReplicaReadsModule,
      BullModule.forRoot({ prefix: queuePrefix(config), connection: queueConnection }),
    ];
    if (api)
      imports.push(
        RateLimitModule,
        AuthModule,
        TicketsModule,
        WebformModule,
        EmailModule,
        CounterModule,
        CalendarModule,
        RoutingModule,
        SlaModule,
        ReportsModule,
        KnowledgeModule,
        SocialModule,
        SupervisionModule,
        VoiceModule,
        ChatModule,
        InstitutionsApiModule,
        ConsoleModule,
        PrivacyModule,
        AuditApiModule,
        CaseStatusModule,
        TagsModule,
        CannedAnswersModule,
        SavedViewsModule,
        CustomersApiModule,
      );
    if (api) imports.push(CustomFieldsModule);
    if (worker)
      imports.push(
        InboundWorkerModule,
        OutboundWorkerModule,
        EmailWorkerModule,
        WebhooksWorkerModule,
        RoutingWorkerModule,
        SlaWorkerModule,
        SupervisionWorkerModule,
        SocialWorkerModule,
        PrivacyWorkerModule,
        ClassificationWorkerModule,
        ScanningWorkerModule,
      );
    if (api) imports.push(FollowUpsModule);
    if (worker) imports.push(FollowUpsWorkerModule);
    // Every process answers /health and /metrics, so each can be watched and scraped on its own.
    imports.push(HealthModule);
    return {
      module: AppModule,
      imports,
      providers: [
        { provide: QueueConnectionCloser, useValue: new QueueConnectionCloser(queueConnection) },
        { provide: HTTP_LOGGER, useValue: httpLogger },
      ],
    };
  }
}
