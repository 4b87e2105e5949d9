import { Logger } from '@nestjs/common';
import { startTimestampedHmac } from '@lib/webhook-signature';
import type express from 'express';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { BODY_REFUSALS, sendProblem } from '../../common/http-body';
import { JsonDepthScanner } from '../../common/json-depth';

/** A submission may carry 10 files of 10 MB, base64-encoded (4/3 larger) inside JSON, and the form around them. */
export const WEBFORM_BODY_LIMIT = 140 * 1024 * 1024;

export type WebformRequest = express.Request & { rawBody?: Buffer; webformSignatureVerified?: boolean };

export type SignatureRefusal = 'missing' | 'malformed' | 'stale' | 'mismatch';

export function signatureDetail(reason: SignatureRefusal, maxSkewSeconds: number): string {
  return {
    missing: 'The X-Signature header is missing.',
    malformed: 'The X-Signature header is not of the form t=<unix seconds>,v1=<hex>.',
    stale: `The signature timestamp is more than ${maxSkewSeconds} s away from our clock.`,
    mismatch: 'The signature does not match the body.',
  }[reason];
}

const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = { gzip: createGunzip, 'x-gzip': createGunzip, deflate: createInflate, br: createBrotliDecompress };

interface Options {
  secret: string;
  maxSkewSeconds: number;
  limit?: number;
  /** Every refusal, by the reason counted in vp_inbound_events_total. */
  onRefused: (reason: string) => void;
}

/**
 * Reads a web-form body only as far as it deserves. An oversize Content-Length and a missing, malformed or stale
 * signature are refused before a byte is read; a plausible signature is checked with an HMAC fed as the bytes
 * arrive, and only a body that matches it is parsed. So the 140 MB allowed for ten files is spent on JSON.parse
 * only for the portal, and a forged 130 MB body costs a hash, not a tree.
 */
export function webformBodyReader(options: Options): express.RequestHandler {
  const logger = new Logger('WebformSignature');
  const limit = options.limit ?? WEBFORM_BODY_LIMIT;

  return (req: WebformRequest, res, next) => {
    const refuse = (refusal: [number, string, string], reason = refusal[1]) => {
      options.onRefused(reason);
      // The rest of a refused body is not worth reading: the connection goes with the answer.
      res.setHeader('Connection', 'close');
      sendProblem(req, res, refusal);
    };
    const refuseSignature = (reason: SignatureRefusal) => {
      logger.warn({ reason, ip: req.ip }, 'web-form submission refused: bad signature');
      refuse([401, `signature-${reason}`, signatureDetail(reason, options.maxSkewSeconds)], `signature_${reason}`);
    };

    const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    if (declared !== undefined && !(declared <= limit)) return refuse(BODY_REFUSALS.tooLarge);
    const started = startTimestampedHmac(options.secret, req.header('x-signature'), { maxSkewSeconds: options.maxSkewSeconds });
    if (!started.ok) return refuseSignature(started.reason);
    const hasBody = req.headers['transfer-encoding'] !== undefined || (declared ?? 0) > 0;
    if (hasBody && !/^application\/([\w.+-]+\+)?json\b/i.test(req.headers['content-type'] ?? '')) return refuse(BODY_REFUSALS.unsupportedType);

    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    let stream: Readable = req;
    if (encoding !== 'identity') {
      const decoder = DECODERS[encoding];
      if (!decoder) return refuse(BODY_REFUSALS.unsupportedEncoding);
      stream = req.pipe(decoder()) as unknown as Readable;
    }

    const scanner = new JsonDepthScanner();
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (then: () => void) => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      if (stream !== req) req.unpipe();
      then();
    };
    stream.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) return settle(() => refuse(BODY_REFUSALS.tooLarge));
      if (!scanner.write(chunk)) return settle(() => refuse(BODY_REFUSALS.tooDeep));
      started.verifier.update(chunk);
      chunks.push(chunk);
    });
    // A decoder that meets bytes that are not what Content-Encoding says.
    if (stream !== req) stream.on('error', () => settle(() => refuse(BODY_REFUSALS.malformedBody)));
    // The client went away: nobody is left to answer.
    req.on('error', () => settle(() => undefined));
    stream.on('end', () => {
      if (settled) return;
      const raw = Buffer.concat(chunks, size);
      settle(() => {
        const check = started.verifier.verify();
        if (!check.ok) return refuseSignature(check.reason);
        req.rawBody = raw;
        if (raw.length > 0) {
          try {
            req.body = JSON.parse(raw.toString('utf8'));
          } catch {
            return refuse(BODY_REFUSALS.malformedJson);
          }
        }
        req.webformSignatureVerified = true;
        next();
      });
    });
  };
}
