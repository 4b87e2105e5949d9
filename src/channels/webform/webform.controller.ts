import {
  ArgumentsHost,
  Body,
  Catch,
  Controller,
  HttpCode,
  HttpException,
  HttpStatus,
  Logger,
  Post,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiAcceptedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../auth/auth.decorators';
import type { HttpReply } from '../../common/http';
import { ProblemFilter } from '../../common/problem.filter';
import { addToAccessLine } from '../../common/request-log';
import { MetricsService } from '../../metrics/metrics.service';
import { WebformAcceptedDto, WebformSubmissionDto } from './dto/webform-submission.dto';
import { WebformSignatureGuard } from './webform-signature.guard';
import { WebformService } from './webform.service';

/** Counts every refused submission by the reason the client was given, then answers as everywhere else. */
@Catch()
class WebformRejectionFilter extends ProblemFilter {
  private readonly rejections = new Logger('WebformRejection');

  constructor(private readonly metrics: MetricsService) {
    super();
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    const status = exception instanceof HttpException ? exception.getStatus() : (exception as { status?: number })?.status;
    // Signature, size and JSON refusals are counted by webformBodyReader; here the body was signed but wrong.
    if (status === HttpStatus.UNPROCESSABLE_ENTITY || status === HttpStatus.BAD_REQUEST || status === HttpStatus.PAYLOAD_TOO_LARGE) {
      const reason =
        status === HttpStatus.UNPROCESSABLE_ENTITY ? 'validation' : status === HttpStatus.BAD_REQUEST ? 'malformed' : 'too_large';
      this.metrics.inboundEvents.inc({ channel: 'webform', outcome: 'rejected', reason });
      const errors = exception instanceof HttpException ? (exception.getResponse() as { errors?: unknown }).errors : undefined;
      this.rejections.warn({ reason, errors }, 'web-form submission refused');
    }
    super.catch(exception, host);
  }
}

@ApiTags('channels')
@Controller('v1/channels/webform')
export class WebformController {
  constructor(private readonly webform: WebformService) {}

  @Public()
  @Post('submissions')
  @HttpCode(HttpStatus.ACCEPTED)
  @UseGuards(WebformSignatureGuard)
  @UseFilters(WebformRejectionFilter)
  @ApiOperation({
    summary: 'A question, suggestion, complaint or application from the Latvija.lv portal',
    description:
      'Signed with X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(WEBFORM_SECRET, "<t>.<raw body>")>. ' +
      'Answers at once with the ticket reference; the same submissionId again returns the same reference.',
  })
  @ApiHeader({ name: 'X-Signature', required: true })
  @ApiAcceptedResponse({ type: WebformAcceptedDto })
  async submit(@Body() body: WebformSubmissionDto, @Res({ passthrough: true }) reply: HttpReply): Promise<WebformAcceptedDto> {
    const result = await this.webform.submit(body);
    addToAccessLine(reply.raw, { submissionId: body.submissionId, reference: result.reference, duplicate: result.duplicate });
    return { reference: result.reference!, status: result.status };
  }
}
