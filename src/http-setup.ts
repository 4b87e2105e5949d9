import { NestFastifyApplication, FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { HttpLogger } from 'pino-http';
import { compileTrustProxy } from './common/client-address';
import { webformBodyReader, WEBFORM_BODY_LIMIT } from './channels/webform/webform-body';
import { registerBodyParsers } from './common/http-body';
import { headerOf, HttpReply, HttpRequest } from './common/http';
import { ProblemFilter } from './common/problem.filter';
import { HTTP_LOGGER, requestLogging } from './common/request-log';
import { securityHeaders } from './common/security-headers';
import { AppConfig } from './config/app-config';
import { RedisIoAdapter } from './realtime/redis-io.adapter';
import { createValidationPipe } from './common/validation';
import { MetricsService } from './metrics/metrics.service';
import { perSourceLimits } from './rate-limit/rate-limit.middleware';
import { RateLimitService } from './rate-limit/rate-limit.service';

/** A request id from the caller (or a proxy) is kept, so one id follows a request across systems. */
function requestId(req: IncomingMessage): string {
  const given = headerOf(req, 'x-request-id');
  return given !== undefined && /^[A-Za-z0-9._-]{1,128}$/.test(given) ? given : randomUUID();
}

/**
 * The HTTP server every role runs (Fastify), shared by main.ts and the tests. Routes match as they did under
 * Express, case-insensitively and with an optional trailing slash. Fastify's own logger is off: the access log is
 * pino-http's (requestLogging in common/request-log.ts), one line per request.
 */
export function httpAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    logger: false,
    // req.ip is the client behind the proxies TRUST_PROXY names, for limits, audit and logs alike.
    trustProxy: compileTrustProxy(config.TRUST_PROXY),
    genReqId: requestId,
    // The readers in http-body.ts enforce each route's own limit as they stream; this is only the outer bound.
    bodyLimit: WEBFORM_BODY_LIMIT,
    // A path parameter may be long (a signed survey or case link's token); Fastify's default of 100 characters
    // would answer such links 414.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 8192 },
  });
}

const ROUTES = new WeakMap<object, string[]>();

/** Every route the application serves, as `METHOD /path` (Fastify's syntax: `:param`, `*` for the rest of a path). */
export function servedRoutes(app: NestFastifyApplication): string[] {
  return [...(ROUTES.get(app) ?? [])];
}

/**
 * Everything an HTTP application needs, in one place shared by main.ts and the tests, so that the app
 * under test is the app that ships. The app must be created with `httpAdapter(config)`.
 */
export function configureHttp(app: NestFastifyApplication): void {
  app.useLogger(app.get(Logger));
  const config = app.get(AppConfig);
  const fastify = app.getHttpAdapter().getInstance();
  const routes: string[] = [];
  ROUTES.set(app, routes);
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push(`${method} ${route.url}`);
  });
  // First, so that every request's line is written, those a later hook refuses (a limit, a bad signature) included.
  fastify.addHook('onRequest', requestLogging(app.get<HttpLogger>(HTTP_LOGGER)));
  fastify.addHook('onRequest', (req, reply, done) => {
    reply.header('X-Request-Id', req.id);
    done();
  });
  // Early, so that every answer carries them, the body readers' early refusals included.
  fastify.addHook('onRequest', securityHeaders());
  const metrics = app.get(MetricsService);
  // Before the body is read, so that a source over its budget costs no parsing (workers serve no limited route).
  if (config.APP_ROLE !== 'worker') fastify.addHook('onRequest', perSourceLimits(app.get(RateLimitService), metrics));
  const countRejected = (channel: string, reason: string) => metrics.inboundEvents.inc({ channel, outcome: 'rejected', reason });
  // The web form's large bodies are read only as far as their signature allows (checked as they stream in).
  const webform = webformBodyReader({
    secret: config.WEBFORM_SECRET,
    maxSkewSeconds: config.WEBFORM_MAX_SKEW_SECONDS,
    onRefused: (reason) => countRejected('webform', reason),
  });
  fastify.addHook('onRequest', (req: HttpRequest, reply: HttpReply, done: () => void) => webform.check(req, reply, done));
  // Signed channels verify the exact bytes they were sent, so the raw body is kept beside the parsed one.
  registerBodyParsers(fastify, { own: webform, countRejected });
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
