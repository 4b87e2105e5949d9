import { HttpException } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { parse as parseQueryString } from 'node:querystring';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { HttpReply, HttpRequest, pathOf } from './http';
import { JsonDepthScanner, MAX_JSON_DEPTH } from './json-depth';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** What a refused body is answered with: [status, problem code, detail]. */
export type Refusal = [number, string, string];

/** Why `readBody` stopped reading: the refusal to answer with. */
export class BodyReadError extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal[2]);
  }
}

export const BODY_REFUSALS = {
  malformedJson: [400, 'malformed-json', 'The body is not valid JSON.'],
  tooDeep: [400, 'too-deeply-nested', `The body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`],
  malformedBody: [400, 'malformed-body', 'The body could not be read: its Content-Encoding does not match its bytes.'],
  tooLarge: [413, 'too-large', 'The body is larger than this endpoint accepts.'],
  unsupportedEncoding: [415, 'unsupported-encoding', 'The body encoding is not supported.'],
  unsupportedCharset: [415, 'unsupported-charset', 'The body charset is not supported.'],
  unsupportedType: [415, 'unsupported-media-type', 'The body must be application/json.'],
} satisfies Record<string, Refusal>;

function problemOf(req: HttpRequest, [status, code, detail]: Refusal): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: `urn:vpppd:problem:${code}`,
    title: status === 400 ? 'Bad request' : 'Refused',
    status,
    detail,
    instance: req.originalUrl,
  };
  if (req.id) body.requestId = String(req.id);
  return body;
}

/** Hooks answer in the same problem+json shape as the ProblemFilter does for controllers. */
export function sendProblem(req: HttpRequest, reply: HttpReply, refusal: Refusal): HttpReply {
  return reply
    .status(refusal[0])
    .type('application/problem+json')
    .send(JSON.stringify(problemOf(req, refusal)));
}

/**
 * A body refused while it was read. It reaches the ProblemFilter like any error, already in its final shape; when
 * the rest of the body is not worth reading, the connection goes with the answer.
 */
export class BodyRefused extends HttpException {
  constructor(
    req: HttpRequest,
    readonly refusal: Refusal,
    readonly closeConnection = false,
  ) {
    const { instance: _instance, requestId: _requestId, ...body } = problemOf(req, refusal);
    super(body, refusal[0]);
  }
}

const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

export interface ReadOptions {
  limit: number;
  /** Each decoded chunk, before it is kept: a refusal stops the reading there. */
  inspect?: (chunk: Buffer) => Refusal | undefined;
}

/**
 * The decoded bytes of a body, read only as far as they are acceptable: a declared length over the limit is
 * refused before a byte is read, and the reading stops at the first chunk over the limit or refused by `inspect`.
 * Content-Encoding gzip, deflate and br are decoded (as Express's body parsers did), and the limit counts decoded
 * bytes, so a small compressed bomb is stopped too.
 */
export function readBody(req: HttpRequest, payload: Readable, options: ReadOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding === 'identity' && declared !== undefined && !(declared <= options.limit))
      return reject(new BodyReadError(BODY_REFUSALS.tooLarge));
    let stream: Readable = payload;
    if (encoding !== 'identity') {
      const decoder = DECODERS[encoding];
      if (!decoder) return reject(new BodyReadError(BODY_REFUSALS.unsupportedEncoding));
      stream = payload.pipe(decoder()) as unknown as Readable;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (then: () => void) => {
      if (settled) return;
      settled = true;
      if (stream !== payload) payload.unpipe();
      stream.removeAllListeners('data');
      then();
    };
    stream.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > options.limit) return settle(() => reject(new BodyReadError(BODY_REFUSALS.tooLarge)));
      const refused = options.inspect?.(chunk);
      if (refused) return settle(() => reject(new BodyReadError(refused)));
      chunks.push(chunk);
    });
    // A decoder that meets bytes that are not what Content-Encoding says.
    if (stream !== payload) stream.on('error', () => settle(() => reject(new BodyReadError(BODY_REFUSALS.malformedBody))));
    // The client went away: nobody is left to answer.
    payload.on('error', () => settle(() => reject(new BodyReadError(BODY_REFUSALS.malformedBody))));
    stream.on('end', () => settle(() => resolve(Buffer.concat(chunks, size))));
  });
}

export function isJsonType(contentType: string | undefined): boolean {
  return /^application\/([\w.+-]+\+)?json\b/i.test(contentType ?? '');
}

const URLENCODED = /^application\/x-www-form-urlencoded\b/i;

function charsetOf(contentType: string): string | undefined {
  return /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1]?.toLowerCase();
}

export interface BodyParsing {
  /** Paths whose bodies another reader takes (the web form's, checked against its signature as it streams in). */
  own?: { path: string; parse: (req: HttpRequest, payload: Readable) => Promise<unknown> };
  /** Every refused body of a channel, by channel and problem code. */
  countRejected: (channel: string, code: string) => void;
}

/**
 * The only body parsers of the app. JSON and URL-encoded bodies are read to at most DEFAULT_BODY_LIMIT, a JSON
 * nesting deeper than MAX_JSON_DEPTH is refused as it streams in, and the exact bytes are kept as `req.rawBody`
 * for the channels that verify a signature over them (never a re-serialised body). Other media types are not
 * read: the route's validation decides what a missing body means.
 */
export function registerBodyParsers(fastify: FastifyInstance, parsing: BodyParsing): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (request, payload, done) => {
    const req = request as HttpRequest;
    const contentType = String(req.headers['content-type'] ?? '');
    const refuse = (reason: unknown) => {
      const error = reason instanceof BodyReadError ? reason.refusal : reason;
      if (!Array.isArray(error)) return done(error as Error, undefined);
      const channel = /^\/v1\/channels\/([a-z]+)\//.exec(pathOf(req))?.[1];
      if (channel) parsing.countRejected(channel, error[1]);
      done(new BodyRefused(req, error as Refusal), undefined);
    };
    const own = parsing.own;
    if (own && (pathOf(req) === own.path || pathOf(req).startsWith(`${own.path}/`))) {
      own.parse(req, payload).then(
        (body) => done(null, body),
        (error: unknown) => done(error as Error, undefined),
      );
      return;
    }
    if (isJsonType(contentType)) {
      const charset = charsetOf(contentType);
      if (charset && !charset.startsWith('utf-')) return refuse(BODY_REFUSALS.unsupportedCharset);
      const scanner = new JsonDepthScanner();
      readBody(req, payload, {
        limit: DEFAULT_BODY_LIMIT,
        inspect: (chunk) => (scanner.write(chunk) ? undefined : BODY_REFUSALS.tooDeep),
      }).then((raw) => {
        req.rawBody = raw;
        if (raw.length === 0) return done(null, {});
        // Objects and arrays only, as Express's strict JSON parser took.
        const text = raw.toString('utf8');
        if (!/^[\s\uFEFF]*[[{]/.test(text)) return refuse(BODY_REFUSALS.malformedJson);
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          return refuse(BODY_REFUSALS.malformedJson);
        }
        done(null, body);
      }, refuse);
      return;
    }
    if (URLENCODED.test(contentType)) {
      const charset = charsetOf(contentType);
      if (charset && charset !== 'utf-8' && charset !== 'utf8') return refuse(BODY_REFUSALS.unsupportedCharset);
      readBody(req, payload, { limit: DEFAULT_BODY_LIMIT }).then((raw) => {
        req.rawBody = raw;
        done(null, { ...parseQueryString(raw.toString('utf8')) });
      }, refuse);
      return;
    }
    done(null, undefined);
  });
}
