import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import { Logger } from 'nestjs-pino';
import { compileTrustProxy } from './common/client-address';
import { ProblemFilter } from './common/problem.filter';
import { AppConfig } from './config/app-config';
import { RedisIoAdapter } from './realtime/redis-io.adapter';
import { createValidationPipe } from './common/validation';
import { MetricsService } from './metrics/metrics.service';
import { perSourceLimits } from './rate-limit/rate-limit.middleware';
import { RateLimitService } from './rate-limit/rate-limit.service';

/** A submission may carry 10 files of 10 MB, base64-encoded (4/3 larger) inside JSON. */
const WEBFORM_BODY_LIMIT = '140mb';
const DEFAULT_BODY_LIMIT = '1mb';

const keepRawBody = (req: express.Request & { rawBody?: Buffer }, _res: unknown, buf: Buffer) => {
  req.rawBody = buf;
};

/** Body-parser refusals (bad JSON, too large) answered as problem+json; refused channel input is counted. */
function bodyParserProblems(metrics: MetricsService): express.ErrorRequestHandler {
  return (err: { type?: string }, req, res, next) => {
    const known: Record<string, [number, string, string]> = {
      'entity.parse.failed': [400, 'malformed-json', 'The body is not valid JSON.'],
      'entity.too.large': [413, 'too-large', 'The body is larger than this endpoint accepts.'],
      'encoding.unsupported': [415, 'unsupported-encoding', 'The body encoding is not supported.'],
    };
    const hit = err?.type ? known[err.type] : undefined;
    if (!hit) return next(err);
    const [status, code, detail] = hit;
    const channel = /^\/v1\/channels\/([a-z]+)\//.exec(req.originalUrl)?.[1];
    if (channel) metrics.inboundEvents.inc({ channel, outcome: 'rejected', reason: code });
    res
      .status(status)
      .type('application/problem+json')
      .send(JSON.stringify({ type: `urn:vpppd:problem:${code}`, title: status === 400 ? 'Bad request' : 'Refused', status, detail, instance: req.originalUrl }));
  };
}

/**
 * Everything an HTTP application needs, in one place shared by main.ts and the tests, so that the app
 * under test is the app that ships. The app must be created with `bodyParser: false`.
 */
export function configureHttp(app: INestApplication): void {
  app.useLogger(app.get(Logger));
  const config = app.get(AppConfig);
  // req.ip is the client behind the proxies TRUST_PROXY names, for limits, audit and logs alike.
  (app.getHttpAdapter().getInstance() as express.Express).set('trust proxy', compileTrustProxy(config.TRUST_PROXY));
  // Before the body parsers, so that a source over its budget costs no parsing (workers serve no limited route).
  if (config.APP_ROLE !== 'worker') app.use(perSourceLimits(app.get(RateLimitService), app.get(MetricsService)));
  // Signed channels verify the exact bytes they were sent, so the raw body is kept beside the parsed one.
  app.use('/v1/channels/webform', express.json({ limit: WEBFORM_BODY_LIMIT, verify: keepRawBody }));
  app.use(express.json({ limit: DEFAULT_BODY_LIMIT, verify: keepRawBody }));
  app.use(express.urlencoded({ extended: false, limit: DEFAULT_BODY_LIMIT, verify: keepRawBody }));
  app.use(bodyParserProblems(app.get(MetricsService)));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks();
  // Agents' sockets share rooms across API instances through Redis.
  app.useWebSocketAdapter(new RedisIoAdapter(app, config));

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
