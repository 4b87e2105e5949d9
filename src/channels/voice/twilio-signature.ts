import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import twilio from 'twilio';
import { type HttpRequest, headerOf, pathOf } from '../../common/http';
import { ProblemException, validationProblem } from '../../common/problem';
import { AppConfig } from '../../config/app-config';
import { MetricsService } from '../../metrics/metrics.service';
import type { TwilioParams } from './voice-ivr.service';

const CALL_SID = /^CA[0-9a-fA-F]{32}$/;

/**
 * Twilio signs every request with the account's auth token over the URL it called plus the POST parameters.
 * Behind a proxy the server sees another URL, so the check uses PUBLIC_BASE_URL + the path and query Twilio used.
 * Nothing runs (and nothing is stored) before the signature is known to be good.
 */
@Injectable()
export class TwilioSignature {
  private readonly logger = new Logger(TwilioSignature.name);

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  /** The request's signed POST parameters; throws the problem to answer with when they are not Twilio's. */
  verify(req: HttpRequest): TwilioParams {
    const { TWILIO_AUTH_TOKEN: token, PUBLIC_BASE_URL: base } = this.config;
    if (!token || !base) {
      throw this.refuse(
        req,
        HttpStatus.SERVICE_UNAVAILABLE,
        'voice_not_configured',
        'The voice channel is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, PUBLIC_BASE_URL).',
      );
    }
    const signature = headerOf(req, 'x-twilio-signature');
    if (!signature) throw this.refuse(req, HttpStatus.FORBIDDEN, 'signature_missing', 'The X-Twilio-Signature header is missing.');
    const params = req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body) ? (req.body as TwilioParams) : {};
    if (!twilio.validateRequest(token, signature, `${base}${req.originalUrl}`, params as Record<string, string>)) {
      throw this.refuse(
        req,
        HttpStatus.FORBIDDEN,
        'signature_mismatch',
        'The X-Twilio-Signature does not match this URL and these parameters.',
      );
    }
    // Every voice request Twilio makes names its call; one that does not cannot be placed anywhere.
    if (!CALL_SID.test(params.CallSid ?? '')) {
      this.metrics.inboundEvents.inc({ channel: 'voice', outcome: 'rejected', reason: 'invalid_call_sid' });
      throw validationProblem([{ field: 'CallSid', code: 'invalid', message: 'CallSid must be CA followed by 32 hex digits' }]);
    }
    return params;
  }

  private refuse(req: HttpRequest, status: HttpStatus, reason: string, detail: string): ProblemException {
    this.metrics.inboundEvents.inc({ channel: 'voice', outcome: 'rejected', reason });
    this.logger.warn({ reason, path: pathOf(req), ip: req.ip }, 'Twilio webhook refused');
    return new ProblemException(status, reason.replace(/_/g, '-'), status === HttpStatus.FORBIDDEN ? 'Forbidden' : 'Unavailable', detail);
  }
}
