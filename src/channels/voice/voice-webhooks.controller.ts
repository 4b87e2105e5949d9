import { Body, Controller, Header, HttpCode, HttpStatus, Post, Query, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../../auth/auth.decorators';
import { TwilioSignatureGuard } from './twilio-signature.guard';
import { TwilioParams, VoiceIvrService } from './voice-ivr.service';

/**
 * Twilio's requests. The number's voice URL is `incoming` and its status callback `status`; the TwiML App's
 * voice URL is `operator`; every other URL is one our own TwiML hands to Twilio. All are signed by Twilio.
 */
@ApiExcludeController()
@Public()
@UseGuards(TwilioSignatureGuard)
@Controller('v1/channels/voice/twilio')
export class VoiceWebhooksController {
  constructor(private readonly ivr: VoiceIvrService) {}

  @Post('incoming')
  @HttpCode(HttpStatus.OK)
  @Header('Content-Type', 'text/xml')
  incoming(@Body() p: TwilioParams): Promise<string> {
    return this.ivr.incoming(p);
  }

  @Post('language')
  @HttpCode(HttpStatus.OK)
  @Header('Content-Type', 'text/xml')
  language(@Body() p: TwilioParams, @Query() q: TwilioParams): Promise<string> {
    return this.ivr.language(p, q);
  }

  @Post('menu')
  @HttpCode(HttpStatus.OK)
  @Header('Content-Type', 'text/xml')
  menu(@Body() p: TwilioParams, @Query() q: TwilioParams): Promise<string> {
    return this.ivr.menuInput(p, q);
  }

  @Post('choice')
  @HttpCode(HttpStatus.OK)
  @Header('Content-Type', 'text/xml')
  choice(@Body() p: TwilioParams, @Query() q: TwilioParams): Promise<string> {
    return this.ivr.choice(p, q);
  }

  @Post('queue-wait')
  @HttpCode(HttpStatus.OK)
  @Header('Content-Type', 'text/xml')
  queueWait(@Body() p: TwilioParams, @Query() q: TwilioParams): string {
    return this.ivr.queueWait(p, q);
  }

  @Post('queue-leave')
  @HttpCode(HttpStatus.OK)
  @Header('Content-Type', 'text/xml')
  queueLeave(@Body() p: TwilioParams, @Query() q: TwilioParams): Promise<string> {
    return this.ivr.queueLeave(p, q);
  }

  @Post('queue-done')
  @HttpCode(HttpStatus.OK)
  @Header('Content-Type', 'text/xml')
  queueDone(@Body() p: TwilioParams, @Query() q: TwilioParams): Promise<string> {
    return this.ivr.queueDone(p, q);
  }

  @Post('csat')
  @HttpCode(HttpStatus.OK)
  @Header('Content-Type', 'text/xml')
  csat(@Body() p: TwilioParams, @Query() q: TwilioParams): Promise<string> {
    return this.ivr.csat(p, q);
  }

  @Post('queue-answered')
  @HttpCode(HttpStatus.OK)
  @Header('Content-Type', 'text/xml')
  queueAnswered(@Body() p: TwilioParams, @Query() q: TwilioParams): Promise<string> {
    return this.ivr.queueAnswered(p, q);
  }

  @Post('voicemail-done')
  @HttpCode(HttpStatus.OK)
  @Header('Content-Type', 'text/xml')
  voicemailDone(@Body() p: TwilioParams, @Query() q: TwilioParams): Promise<string> {
    return this.ivr.voicemailDone(p, q);
  }

  @Post('voicemail-recording')
  @HttpCode(HttpStatus.NO_CONTENT)
  async voicemailRecording(@Body() p: TwilioParams): Promise<void> {
    await this.ivr.voicemailRecording(p);
  }

  @Post('status')
  @HttpCode(HttpStatus.NO_CONTENT)
  async status(@Body() p: TwilioParams): Promise<void> {
    await this.ivr.status(p);
  }

  @Post('operator')
  @HttpCode(HttpStatus.OK)
  @Header('Content-Type', 'text/xml')
  operator(@Body() p: TwilioParams): Promise<string> {
    return this.ivr.operator(p);
  }
}
