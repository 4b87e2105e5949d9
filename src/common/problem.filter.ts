import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { HttpReply, HttpRequest } from './http';
import { ProblemBody } from './problem';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Validation failed',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** Every error leaves the API as RFC 9457 problem+json, with the request id so a report can be traced in the logs. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<HttpRequest>();
    const res = ctx.getResponse<HttpReply>();
    const body = this.toProblem(exception);
    if (body.status >= 500) this.logger.error({ err: exception, requestId: req.id }, 'unhandled error');
    body.instance = req.originalUrl;
    if (req.id) body.requestId = String(req.id);
    if (body.status === HttpStatus.SERVICE_UNAVAILABLE) res.header('Retry-After', '5');
    // The rest of a refused body is not worth reading (http-body.ts).
    if ((exception as { closeConnection?: boolean } | null)?.closeConnection) res.header('Connection', 'close');
    res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }

  private toProblem(exception: unknown): ProblemBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null && 'type' in response && 'title' in response) {
        return { ...(response as ProblemBody) };
      }
      const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
      return {
        type: `urn:vpppd:problem:http-${status}`,
        title: TITLES[status] ?? exception.name,
        status,
        detail: Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : undefined,
      };
    }
    if (isUnstorableText(exception)) {
      // A last net: bodies are cleaned and parameters checked by the validation pipe, but input arrives by other
      // ways too (headers, sockets), and what PostgreSQL cannot store is the sender's to fix, not a 500.
      return {
        type: 'urn:vpppd:problem:unstorable-text',
        title: TITLES[422],
        status: HttpStatus.UNPROCESSABLE_ENTITY,
        detail: 'The request holds text that cannot be stored: a NUL character or half of a surrogate pair.',
      };
    }
    if (isUnavailable(exception)) {
      // A dependency is down, not the request wrong: the caller (the portal, a webhook sender) should retry.
      return {
        type: 'urn:vpppd:problem:unavailable',
        title: TITLES[503],
        status: HttpStatus.SERVICE_UNAVAILABLE,
        detail: 'A service we depend on is unavailable; try again shortly.',
      };
    }
    return { type: 'urn:vpppd:problem:internal', title: TITLES[500], status: HttpStatus.INTERNAL_SERVER_ERROR };
  }
}

/** PostgreSQL refused text: a NUL byte (22021) or a \u escape it cannot hold, such as half a surrogate pair (22P05). */
export function isUnstorableText(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return code === '22021' || code === '22P05';
}

/** PostgreSQL or Redis unreachable, restarting or refusing connections. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);

export function isUnavailable(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string }; message?: string } | null;
  if (!e) return false;
  if (UNAVAILABLE_CODES.has(e.code ?? '') || UNAVAILABLE_CODES.has(e.driverError?.code ?? '')) return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    e.message ?? '',
  );
}
