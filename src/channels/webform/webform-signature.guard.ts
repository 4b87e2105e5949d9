import { CanActivate, ExecutionContext, HttpStatus, Injectable, Logger } from '@nestjs/common';
import { verifyTimestampedHmac } from '@lib/webhook-signature';
import type { Request } from 'express';
import { ProblemException } from '../../common/problem';
import { AppConfig } from '../../config/app-config';
import { MetricsService } from '../../metrics/metrics.service';

/** The portal signs the raw body; nothing is parsed into the pipeline before the signature is known to be good. */
@Injectable()
export class WebformSignatureGuard implements CanActivate {
  private readonly logger = new Logger(WebformSignatureGuard.name);

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request & { rawBody?: Buffer }>();
    const header = req.header('x-signature');
    const check = verifyTimestampedHmac(this.config.WEBFORM_SECRET, header, req.rawBody ?? Buffer.alloc(0), {
      maxSkewSeconds: this.config.WEBFORM_MAX_SKEW_SECONDS,
    });
    if (check.ok) return true;
    this.metrics.inboundEvents.inc({ channel: 'webform', outcome: 'rejected', reason: `signature_${check.reason}` });
    this.logger.warn({ reason: check.reason, ip: req.ip }, 'web-form submission refused: bad signature');
    const detail = {
      missing: 'The X-Signature header is missing.',
      malformed: 'The X-Signature header is not of the form t=<unix seconds>,v1=<hex>.',
      stale: `The signature timestamp is more than ${this.config.WEBFORM_MAX_SKEW_SECONDS} s away from our clock.`,
      mismatch: 'The signature does not match the body.',
    }[check.reason];
    throw new ProblemException(HttpStatus.UNAUTHORIZED, `signature-${check.reason}`, 'Unauthorized', detail);
  }
}
