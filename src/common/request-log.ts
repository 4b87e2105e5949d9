import { storage, Store } from 'nestjs-pino/storage';
import type { HttpLogger } from 'pino-http';
import type { HttpReply, HttpRequest } from './http';

/** The request as pino-http hands it to a serializer (pino's standard request object). */
interface LoggedRequest {
  id: unknown;
  method: string;
  url: string;
  remoteAddress?: string;
  /** The request itself; behind trusted proxies its `ip` is the client's, where remoteAddress is the proxy's. */
  raw?: { ip?: string; remoteAddress?: string };
  /** Absent when code logs a request it described itself (`{ req: { id, method, url } }`). */
  headers?: Record<string, string | string[] | undefined>;
}

/** An error as pino's standard serializer made it: every enumerable property of the error copied. */
type SerializedError = Record<string, unknown>;

/**
 * What of an error may be logged, by allowlist. TypeORM's QueryFailedError carries the statement's `parameters`
 * (a whole web form: personas kods, name, e-mail, text) and PostgreSQL's `detail` ("Key (email)=(…) already
 * exists"); HTTP clients' errors carry request bodies. The SQL text itself has placeholders only, so it stays.
 */
const SAFE_ERROR_FIELDS = [
  'type',
  'message',
  'stack',
  'code',
  'errno',
  'syscall',
  'status',
  'statusCode',
  'reason',
  'query',
  'constraint',
  'table',
  'column',
  'routine',
  'severity',
];

function safeError(err: unknown, depth = 0): unknown {
  if (err === null || typeof err !== 'object') return err;
  const source = err as SerializedError;
  const out: SerializedError = {};
  for (const key of SAFE_ERROR_FIELDS) {
    const value = source[key];
    if (value !== undefined && (typeof value !== 'object' || value === null)) out[key] = value;
  }
  if (depth < 3) {
    if (source.cause !== undefined) out.cause = safeError(source.cause, depth + 1);
    if (Array.isArray(source.errors)) out.errors = source.errors.slice(0, 10).map((e) => safeError(e, depth + 1));
  }
  return out;
}

/** A path without its query string: search terms (`q=` a name, a personas kods) must not reach the logs. */
function pathOnly(url: string): string {
  const cut = url.indexOf('?');
  return cut === -1 ? url : url.slice(0, cut);
}

/**
 * What a request line says, by allowlist. A list of headers to hide missed the channels' own secrets (Telegram's
 * secret token, the signatures of Twilio, Meta and the web form), and copying every header in order to redact a
 * few cost more than the rest of the line.
 */
export const requestLogSerializers = {
  req: (req: LoggedRequest) => ({
    id: req.id,
    method: req.method,
    url: pathOnly(req.url),
    // The last: a request that code described itself ({ req: { id, url, remoteAddress } }), which has no socket.
    remoteAddress: req.raw?.ip ?? req.remoteAddress ?? req.raw?.remoteAddress,
    userAgent: req.headers?.['user-agent'],
  }),
  // pino's standard object has no status before the headers are sent: a response that code described itself.
  res: (res: { statusCode: number | null; raw?: { statusCode?: number } }) => ({ statusCode: res.statusCode ?? res.raw?.statusCode }),
  err: safeError,
};

const ACCESS_LINE_FIELDS = Symbol('accessLineFields');
type WithAccessLineFields = { [ACCESS_LINE_FIELDS]?: Record<string, unknown> };

/**
 * Adds what became of a request (a web form's reference) to its access line, so that one line says it all. A
 * field on the response, not pino's `child`: a child of the request's logger cost about 16 µs a request.
 */
export function addToAccessLine(res: object, fields: Record<string, unknown>): void {
  const target = res as WithAccessLineFields;
  target[ACCESS_LINE_FIELDS] = { ...target[ACCESS_LINE_FIELDS], ...fields };
}

/** pino-http's customSuccessObject: the access line's own fields, then what the handler added. */
export function accessLineObject(_req: unknown, res: object, line: Record<string, unknown>): Record<string, unknown> {
  const added = (res as WithAccessLineFields)[ACCESS_LINE_FIELDS];
  return added ? { ...added, ...line } : line;
}

/** The access log's pino-http, which the app module makes and requestLogging runs. */
export const HTTP_LOGGER = Symbol('HTTP_LOGGER');

/** A route that writes no access line and has no request logger (`config: NO_ACCESS_LOG` in its options). */
export const NO_ACCESS_LOG = { accessLog: false } as const;

/**
 * The access log and the request's logger, as the first of the server's request hooks: pino-http writes one line
 * when the request ends, and nestjs-pino's request scope makes what the code logs while serving it carry the
 * request. As Nest middleware they ran inside @fastify/middie, which then ran for every request (Twilio's steps,
 * which skip both, included) and copied the client's addresses, query and host onto the raw request for
 * middleware; without Nest middleware, middie does nothing.
 */
export function requestLogging(httpLogger: HttpLogger) {
  return (req: HttpRequest, reply: HttpReply, done: () => void): void => {
    if ((req.routeOptions.config as { accessLog?: boolean }).accessLog === false) return done();
    // What pino-http and the request serializer read: Fastify's id, and the client behind trusted proxies.
    const raw = Object.assign(req.raw, { id: req.id, ip: req.ip });
    httpLogger(raw, reply.raw);
    storage.run(new Store(raw.log), done);
  };
}
