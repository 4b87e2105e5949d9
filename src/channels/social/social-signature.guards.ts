import { CanActivate, ExecutionContext, HttpStatus, Injectable, Logger } from '@nestjs/common';
import { secretsEqual, verifyHubSignature256 } from '@lib/webhook-signature';
import { headerOf, type HttpRequest } from '../../common/http';
import { ProblemException } from '../../common/problem';
import { AppConfig } from '../../config/app-config';
import { MetricsService } from '../../metrics/metrics.service';

const forbidden = (detail: string) => new ProblemException(HttpStatus.FORBIDDEN, 'signature-invalid', 'Forbidden', detail);

/** Meta signs the raw body; nothing is parsed into the pipeline before the signature is known to be good. */
@Injectable()
export class MetaSignatureGuard implements CanActivate {
  private readonly logger = new Logger(MetaSignatureGuard.name);

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<HttpRequest>();
    const check = verifyHubSignature256(this.config.META_APP_SECRET, headerOf(req, 'x-hub-signature-256'), req.rawBody ?? Buffer.alloc(0));
    if (check.ok) return true;
    this.metrics.inboundEvents.inc({ channel: 'social', outcome: 'rejected', reason: `meta_signature_${check.reason}` });
    this.logger.warn({ reason: check.reason, ip: req.ip }, 'Meta webhook refused: bad signature');
    throw forbidden(
      {
        unconfigured: 'This installation has no META_APP_SECRET, so it accepts no Meta webhooks.',
        missing: 'The X-Hub-Signature-256 header is missing.',
        malformed: 'The X-Hub-Signature-256 header is not of the form sha256=<64 hex digits>.',
        mismatch: 'The signature does not match the body.',
      }[check.reason],
    );
  }
}

/** Telegram repeats the secret_token given to setWebhook in a header; compared in constant time. */
@Injectable()
export class TelegramSecretGuard implements CanActivate {
  private readonly logger = new Logger(TelegramSecretGuard.name);

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<HttpRequest>();
    const given = headerOf(req, 'x-telegram-bot-api-secret-token');
    if (secretsEqual(this.config.TELEGRAM_SECRET_TOKEN, given)) return true;
    const reason = !this.config.TELEGRAM_SECRET_TOKEN ? 'unconfigured' : given === undefined ? 'missing' : 'mismatch';
    this.metrics.inboundEvents.inc({ channel: 'social', outcome: 'rejected', reason: `telegram_secret_${reason}` });
    this.logger.warn({ reason, ip: req.ip }, 'Telegram webhook refused: bad secret token');
    throw forbidden(
      reason === 'unconfigured'
        ? 'This installation has no TELEGRAM_SECRET_TOKEN, so it accepts no Telegram webhooks.'
        : 'The X-Telegram-Bot-Api-Secret-Token header is missing or wrong.',
    );
  }
}
