import { Logger } from '@nestjs/common';
import { startTimestampedHmac } from '@lib/webhook-signature';
import type { Readable } from 'node:stream';
import { BODY_REFUSALS, BodyReadError, BodyRefused, isJsonType, readBody, Refusal, sendProblem } from '../../common/http-body';
import { HttpReply, HttpRequest, headerOf, pathOf } from '../../common/http';
import { JsonDepthScanner } from '../../common/json-depth';

/** A submission may carry 10 files of 10 MB, base64-encoded (4/3 larger) inside JSON, and the form around them. */
export const WEBFORM_BODY_LIMIT = 140 * 1024 * 1024;

export const WEBFORM_PATH = '/v1/channels/webform';

type Verifier = Extract<ReturnType<typeof startTimestampedHmac>, { ok: true }>['verifier'];

export type WebformRequest = HttpRequest & { webformSignatureVerified?: boolean; webformVerifier?: Verifier };

export type SignatureRefusal = 'missing' | 'malformed' | 'stale' | 'mismatch';

export function signatureDetail(reason: SignatureRefusal, maxSkewSeconds: number): string {
  return {
    missing: 'The X-Signature header is missing.',
    malformed: 'The X-Signature header is not of the form t=<unix seconds>,v1=<hex>.',
    stale: `The signature timestamp is more than ${maxSkewSeconds} s away from our clock.`,
    mismatch: 'The signature does not match the body.',
  }[reason];
}

interface Options {
  secret: string;
  maxSkewSeconds: number;
  limit?: number;
  /** Every refusal, by the reason counted in vp_inbound_events_total. */
  onRefused: (reason: string) => void;
}

const underWebform = (req: HttpRequest) => {
  const path = pathOf(req);
  return path === WEBFORM_PATH || path.startsWith(`${WEBFORM_PATH}/`);
};

/**
 * Reads a web-form body only as far as it deserves. An oversize Content-Length and a missing, malformed or stale
 * signature are refused by `check` before a byte is read; a plausible signature is checked by `parse` with an
 * HMAC fed as the bytes arrive, and only a body that matches it is parsed. So the 140 MB allowed for ten files is
 * spent on JSON.parse only for the portal, and a forged 130 MB body costs a hash, not a tree.
 */
export function webformBodyReader(options: Options) {
  const logger = new Logger('WebformSignature');
  const limit = options.limit ?? WEBFORM_BODY_LIMIT;
  const signatureRefusal = (req: HttpRequest, reason: SignatureRefusal): [Refusal, string] => {
    logger.warn({ reason, ip: req.ip }, 'web-form submission refused: bad signature');
    return [[401, `signature-${reason}`, signatureDetail(reason, options.maxSkewSeconds)], `signature_${reason}`];
  };

  /** An onRequest hook: what can be refused from the headers alone is, with the connection closed. */
  const check = (request: HttpRequest, reply: HttpReply, done: () => void): void => {
    if (!underWebform(request)) return done();
    const req = request as WebformRequest;
    const refuse = ([refusal, reason]: [Refusal, string]) => {
      options.onRefused(reason);
      // The rest of a refused body is not worth reading: the connection goes with the answer.
      reply.header('Connection', 'close');
      sendProblem(req, reply, refusal);
    };
    const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    if (declared !== undefined && !(declared <= limit)) return refuse([BODY_REFUSALS.tooLarge, BODY_REFUSALS.tooLarge[1]]);
    const started = startTimestampedHmac(options.secret, headerOf(req, 'x-signature'), { maxSkewSeconds: options.maxSkewSeconds });
    if (!started.ok) return refuse(signatureRefusal(req, started.reason));
    const hasBody = req.headers['transfer-encoding'] !== undefined || (declared ?? 0) > 0;
    if (hasBody && !isJsonType(headerOf(req, 'content-type')))
      return refuse([BODY_REFUSALS.unsupportedType, BODY_REFUSALS.unsupportedType[1]]);
    if (!hasBody) {
      // Nothing to stream: the signature is of the empty body.
      const verified = started.verifier.verify();
      if (!verified.ok) return refuse(signatureRefusal(req, verified.reason));
      req.webformSignatureVerified = true;
      return done();
    }
    req.webformVerifier = started.verifier;
    done();
  };

  /** The body parser of the web form's paths, after `check` let the request through. */
  const parse = async (request: HttpRequest, payload: Readable): Promise<unknown> => {
    const req = request as WebformRequest;
    const refused = (refusal: Refusal, reason = refusal[1]) => {
      options.onRefused(reason);
      return new BodyRefused(req, refusal, true);
    };
    if (req.webformSignatureVerified) return undefined;
    const verifier = req.webformVerifier;
    if (!verifier) throw refused(...signatureRefusal(req, 'missing'));
    const scanner = new JsonDepthScanner();
    let raw: Buffer;
    try {
      raw = await readBody(req, payload, {
        limit,
        inspect: (chunk) => {
          if (!scanner.write(chunk)) return BODY_REFUSALS.tooDeep;
          verifier.update(chunk);
          return undefined;
        },
      });
    } catch (error) {
      if (error instanceof BodyReadError) throw refused(error.refusal);
      throw error;
    }
    const check = verifier.verify();
    if (!check.ok) throw refused(...signatureRefusal(req, check.reason));
    req.rawBody = raw;
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw refused(BODY_REFUSALS.malformedJson);
      }
    }
    req.webformSignatureVerified = true;
    return body;
  };

  return { path: WEBFORM_PATH, check, parse };
}
