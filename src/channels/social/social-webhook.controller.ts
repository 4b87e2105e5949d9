import { Body, Controller, Get, Header, HttpCode, HttpStatus, Logger, Post, Query, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { secretsEqual } from '@lib/webhook-signature';
import { Public } from '../../auth/auth.decorators';
import { ProblemException } from '../../common/problem';
import { AppConfig } from '../../config/app-config';
import { MetricsService } from '../../metrics/metrics.service';
import { parseMetaDelivery } from './meta-payload';
import { SocialInboundService } from './social-inbound.service';
import { MetaSignatureGuard, TelegramSecretGuard } from './social-signature.guards';
import { parseTelegramUpdate } from './telegram-update';

class SocialWebhookAnswer {
  @ApiProperty({ description: 'New customer messages handed to the pipeline' })
  accepted: number;
  @ApiProperty({ description: 'Reports that a reply we sent failed (WhatsApp status failed): the reply is marked failed' })
  failures: number;
  @ApiProperty({ description: 'Messages already received before (a retried delivery)' })
  duplicates: number;
  @ApiProperty({ description: 'Events deliberately skipped: echoes of our replies, delivery/read statuses, edits' })
  ignored: number;
  @ApiProperty({ description: 'Parts of unknown shape: logged and counted, answered 200 all the same' })
  unrecognised: number;
}

/**
 * Webhooks of Meta (Messenger, Instagram, WhatsApp Cloud API) and Telegram. A good signature and a body we do not
 * understand still get 200: an error would only make the platform retry the same body for days. A forged or
 * missing signature gets 403; a failure to store gets 5xx, so the platform retries and nothing is lost.
 */
@ApiTags('channels')
@Controller('v1/channels/social')
export class SocialWebhookController {
  private readonly logger = new Logger(SocialWebhookController.name);

  constructor(
    private readonly social: SocialInboundService,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  @Public()
  @Get('meta/webhook')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: "Meta's subscription handshake: echoes hub.challenge when hub.verify_token is ours" })
  @ApiQuery({ name: 'hub.mode', example: 'subscribe' })
  @ApiQuery({ name: 'hub.verify_token' })
  @ApiQuery({ name: 'hub.challenge' })
  verify(@Query() query: Record<string, unknown>): string {
    const mode = query['hub.mode'];
    const token = query['hub.verify_token'];
    const challenge = query['hub.challenge'];
    if (
      mode === 'subscribe' &&
      typeof token === 'string' &&
      secretsEqual(this.config.META_VERIFY_TOKEN, token) &&
      typeof challenge === 'string' &&
      challenge.length <= 512
    ) {
      return challenge;
    }
    this.metrics.inboundEvents.inc({ channel: 'social', outcome: 'rejected', reason: 'meta_verify_token' });
    this.logger.warn({ mode }, 'Meta webhook verification refused');
    throw new ProblemException(
      HttpStatus.FORBIDDEN,
      'verify-token-invalid',
      'Forbidden',
      'hub.mode must be subscribe and hub.verify_token must match.',
    );
  }

  @Public()
  @Post('meta/webhook')
  @HttpCode(HttpStatus.OK)
  @UseGuards(MetaSignatureGuard)
  @ApiOperation({
    summary: 'Messenger, Instagram and WhatsApp Cloud API messages, signed with X-Hub-Signature-256 over the raw body',
    description: 'Batched entries are accepted together; a message seen before (same mid / wamid) is a duplicate and creates nothing.',
  })
  @ApiHeader({ name: 'X-Hub-Signature-256', required: true, description: 'sha256=<hex HMAC-SHA256(META_APP_SECRET, raw body)>' })
  @ApiOkResponse({ type: SocialWebhookAnswer })
  meta(@Body() body: unknown): Promise<SocialWebhookAnswer> {
    return this.social.accept('meta', parseMetaDelivery(body), body);
  }

  @Public()
  @Post('telegram/webhook')
  @HttpCode(HttpStatus.OK)
  @UseGuards(TelegramSecretGuard)
  @ApiOperation({ summary: 'Telegram Bot API updates; update_id makes a retried delivery a duplicate' })
  @ApiHeader({ name: 'X-Telegram-Bot-Api-Secret-Token', required: true })
  @ApiOkResponse({ type: SocialWebhookAnswer })
  telegram(@Body() body: unknown): Promise<SocialWebhookAnswer> {
    // The bot's own id is the number before ':' in its token; it names our side of every conversation.
    const botId = this.config.TELEGRAM_BOT_TOKEN?.split(':')[0] ?? 'bot';
    return this.social.accept('telegram', parseTelegramUpdate(body, botId), body);
  }
}
