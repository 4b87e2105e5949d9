import type express from 'express';
import { jsonTooDeep, MAX_JSON_DEPTH } from './json-depth';

export const DEFAULT_BODY_LIMIT = '1mb';

/** What a refused body is answered with: [status, problem code, detail]. */
type Refusal = [number, string, string];

export const BODY_REFUSALS = {
  malformedJson: [400, 'malformed-json', 'The body is not valid JSON.'],
  tooDeep: [400, 'too-deeply-nested', `The body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`],
  malformedBody: [400, 'malformed-body', 'The body could not be read: its Content-Encoding does not match its bytes.'],
  tooLarge: [413, 'too-large', 'The body is larger than this endpoint accepts.'],
  unsupportedEncoding: [415, 'unsupported-encoding', 'The body encoding is not supported.'],
  unsupportedType: [415, 'unsupported-media-type', 'The body must be application/json.'],
} satisfies Record<string, Refusal>;

/** Middleware answers in the same problem+json shape as the ProblemFilter does for controllers. */
export function sendProblem(req: express.Request & { id?: unknown }, res: express.Response, [status, code, detail]: Refusal): void {
  const body: Record<string, unknown> = { type: `urn:vpppd:problem:${code}`, title: status === 400 ? 'Bad request' : 'Refused', status, detail, instance: req.originalUrl };
  if (typeof req.id === 'string') body.requestId = req.id;
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
}

/**
 * body-parser's `verify` hook runs on the whole body before JSON.parse: the raw bytes are kept for the channels
 * that check a signature, and a hostile nesting is refused before any tree is built.
 */
export function keepRawBodyRefusingDeepJson(req: express.Request & { rawBody?: Buffer }, _res: unknown, buf: Buffer): void {
  if (isJson(req) && jsonTooDeep(buf)) throw Object.assign(new Error('JSON nested too deeply'), { status: 400, type: 'entity.too.deep' });
  req.rawBody = buf;
}

function isJson(req: express.Request): boolean {
  const type = req.headers['content-type'] ?? '';
  return /^application\/([\w.+-]+\+)?json\b/i.test(type);
}

const BY_TYPE: Record<string, Refusal> = {
  'entity.parse.failed': BODY_REFUSALS.malformedJson,
  'entity.too.deep': BODY_REFUSALS.tooDeep,
  'entity.too.large': BODY_REFUSALS.tooLarge,
  'encoding.unsupported': BODY_REFUSALS.unsupportedEncoding,
  'charset.unsupported': [415, 'unsupported-charset', 'The body charset is not supported.'],
};

/**
 * Refusals of the body parsers (bad JSON, too deep, too large, a gzip body that is not gzip) answered as
 * problem+json; refused channel input is counted. Only body-parser errors reach this handler: it sits right
 * after the parsers, before any route.
 */
export function bodyParserProblems(countRejected: (channel: string, code: string) => void): express.ErrorRequestHandler {
  return (err: { type?: string; status?: number }, req, res, next) => {
    const refusal = (err?.type && BY_TYPE[err.type]) || (err?.status === 400 ? BODY_REFUSALS.malformedBody : undefined);
    if (!refusal) return next(err);
    const channel = /^\/v1\/channels\/([a-z]+)\//.exec(req.originalUrl)?.[1];
    if (channel) countRejected(channel, refusal[1]);
    sendProblem(req, res, refusal);
  };
}
