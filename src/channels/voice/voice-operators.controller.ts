import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { HttpRequest } from '../../common/http';
import { CurrentUser, Roles } from '../../auth/auth.decorators';
import { AuthUser } from '../../auth/auth-user';
import { validationProblem } from '../../common/problem';
import { CallView, CurrentCallView, VoiceOperatorsService } from './voice-operators.service';

/** Operators' side of the phone: the Voice SDK token, a ticket's calls, and calling a customer back. */
@ApiTags('voice')
@ApiBearerAuth()
@Controller('v1')
export class VoiceOperatorsController {
  constructor(private readonly operators: VoiceOperatorsService) {}

  @Post('voice/token')
  @HttpCode(HttpStatus.OK)
  @Roles('operator', 'supervisor')
  @ApiOperation({ summary: "An access token for Twilio's Voice SDK in the operator's browser (VoiceGrant for their identity)" })
  token(@CurrentUser() user: AuthUser) {
    return this.operators.token(user);
  }

  @Get('voice/calls/current')
  @Roles('operator', 'supervisor')
  @ApiOperation({ summary: "The call the operator is on now and its ticket (callSid: the browser leg's CallSid, for a call-back)" })
  current(@CurrentUser() user: AuthUser, @Query('callSid') callSid?: string): Promise<CurrentCallView> {
    if (callSid !== undefined && !/^CA[0-9a-f]{32}$/.test(callSid)) {
      throw validationProblem([{ field: 'callSid', code: 'format', message: 'must be CA followed by 32 hexadecimal digits' }]);
    }
    return this.operators.currentCall(user, callSid);
  }

  @Get('tickets/:reference/calls')
  @Roles('operator', 'supervisor', 'admin')
  @ApiOperation({ summary: "The ticket's calls: IVR path, language, time in IVR, wait, talk time, outcome, recording" })
  calls(@CurrentUser() user: AuthUser, @Param('reference') reference: string, @Req() req: HttpRequest): Promise<CallView[]> {
    return this.operators.callsOfTicket(reference, user, { ip: req.ip, requestId: typeof req.id === 'string' ? req.id : undefined });
  }

  @Post('tickets/:reference/call-back')
  @HttpCode(HttpStatus.ACCEPTED)
  @Roles('operator', 'supervisor')
  @ApiOperation({ summary: "Call the customer back: Twilio rings the operator's browser, then dials the customer's number" })
  callBack(@CurrentUser() user: AuthUser, @Param('reference') reference: string, @Req() req: HttpRequest) {
    return this.operators.callBack(user, reference, { requestId: typeof req.id === 'string' ? req.id : undefined });
  }
}
