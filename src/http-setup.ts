import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import { Logger } from 'nestjs-pino';
import { compileTrustProxy } from './common/client-address';
import { webformBodyReader } from './channels/webform/webform-body';
import { bodyParserProblems, DEFAULT_BODY_LIMIT, keepRawBodyRefusingDeepJson } from './common/http-body';
import { ProblemFilter } from './common/problem.filter';
import { securityHeaders } from './common/security-headers';
import { AppConfig } from './config/app-config';
import { RedisIoAdapter } from './realtime/redis-io.adapter';
import { createValidationPipe } from './common/validation';
import { MetricsService } from './metrics/metrics.service';
import { perSourceLimits } from './rate-limit/rate-limit.middleware';
import { RateLimitService } from './rate-limit/rate-limit.service';

/**
 * Everything an HTTP application needs, in one place shared by main.ts and the tests, so that the app
 * under test is the app that ships. The app must be created with `bodyParser: false`.
 */
export function configureHttp(app: INestApplication): void {
  app.useLogger(app.get(Logger));
  const config = app.get(AppConfig);
  // First, so that every answer carries them, the body parsers' early refusals included.
  app.use(...securityHeaders());
  // req.ip is the client behind the proxies TRUST_PROXY names, for limits, audit and logs alike.
  (app.getHttpAdapter().getInstance() as express.Express).set('trust proxy', compileTrustProxy(config.TRUST_PROXY));
  const metrics = app.get(MetricsService);
  // Before the body parsers, so that a source over its budget costs no parsing (workers serve no limited route).
  if (config.APP_ROLE !== 'worker') app.use(perSourceLimits(app.get(RateLimitService), metrics));
  const countRejected = (channel: string, reason: string) => metrics.inboundEvents.inc({ channel, outcome: 'rejected', reason });
  // The web form's large bodies are read only as far as their signature allows (checked as they stream in).
  app.use(
    '/v1/channels/webform',
    webformBodyReader({ secret: config.WEBFORM_SECRET, maxSkewSeconds: config.WEBFORM_MAX_SKEW_SECONDS, onRefused: (reason) => countRejected('webform', reason) }),
  );
  // Signed channels verify the exact bytes they were sent, so the raw body is kept beside the parsed one.
  app.use(express.json({ limit: DEFAULT_BODY_LIMIT, verify: keepRawBodyRefusingDeepJson }));
  app.use(express.urlencoded({ extended: false, limit: DEFAULT_BODY_LIMIT, verify: keepRawBodyRefusingDeepJson }));
  app.use(bodyParserProblems(countRejected));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks();
  // Agents' sockets share rooms across API instances through Redis.
  app.useWebSocketAdapter(new RedisIoAdapter(app, config));

  if (!config.API_DOCS) return;
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('VPPPD contact centre')
      .setDescription('Omnichannel contact-centre backend: one ticket queue for every channel. Errors are RFC 9457 problem+json.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}
