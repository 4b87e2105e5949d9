import { Body, Controller, Delete, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { HttpRequest } from '../common/http';
import { ProblemException, validationProblem } from '../common/problem';
import { CurrentUser, Public, Roles } from './auth.decorators';
import type { AuthUser } from './auth-user';
import { ChallengeDto, RecoveryCodesDto, TotpCodeDto, TotpEnrolmentDto, TotpLoginDto, TotpLoginResponseDto } from './dto/totp.dto';
import { SignInService } from './sign-in.service';
import { RequestContext, TotpService } from './totp.service';

type Req = HttpRequest;
const contextOf = (req: Req): RequestContext => ({ ip: req.ip ?? null, requestId: req.id ? String(req.id) : null });

const wrongCode = () =>
  new ProblemException(
    HttpStatus.UNAUTHORIZED,
    'invalid-second-factor',
    'Unauthorized',
    'The code is wrong, was already used, or the second factor is locked for a while after repeated failures.',
  );
const badChallenge = () =>
  new ProblemException(
    HttpStatus.UNAUTHORIZED,
    'invalid-challenge',
    'Unauthorized',
    'The challenge token is invalid or has expired; sign in again.',
  );

/** The second sign-in step, and staff setting up their own second factor. */
@ApiTags('auth')
@Controller('v1/auth')
export class TotpController {
  constructor(
    private readonly totp: TotpService,
    private readonly signIn: SignInService,
  ) {}

  @Public()
  @Post('login/totp')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Second sign-in step: the challenge token with a TOTP code or a recovery code' })
  @ApiOkResponse({ type: TotpLoginResponseDto })
  async login(@Body() body: TotpLoginDto, @Req() req: Req): Promise<TotpLoginResponseDto> {
    if ((body.code === undefined) === (body.recoveryCode === undefined)) {
      throw validationProblem([{ field: 'code', code: 'oneOf', message: 'send either code or recoveryCode' }]);
    }
    const challenge = await this.signIn.readChallenge(body.challengeToken);
    if (!challenge) throw badChallenge();
    const step = await this.totp.requirement(challenge.agentId);
    if (step === null || step === 'none') throw badChallenge();
    if (step === 'enrol') {
      // The first code of a new enrolment: it confirms the factor, and the recovery codes come back with the tokens.
      if (body.code === undefined)
        throw validationProblem([{ field: 'code', code: 'required', message: 'confirm the new factor with a code from the app' }]);
      const recoveryCodes = await this.totp.confirmEnrolment(challenge.agentId, body.code, contextOf(req));
      if (!recoveryCodes) throw wrongCode();
      return { ...(await this.signIn.open(challenge.agentId, req.ip ?? null)), recoveryCodes };
    }
    if (!(await this.totp.verify(challenge.agentId, body, contextOf(req)))) throw wrongCode();
    return this.signIn.open(challenge.agentId, req.ip ?? null);
  }

  @Public()
  @Post('login/totp/enrolment')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'During sign-in, when the role needs a second factor not yet set up: a new TOTP secret' })
  @ApiOkResponse({ type: TotpEnrolmentDto })
  async enrolDuringLogin(@Body() body: ChallengeDto): Promise<TotpEnrolmentDto> {
    const challenge = await this.signIn.readChallenge(body.challengeToken);
    if (!challenge || challenge.step !== 'enrol') throw badChallenge();
    if ((await this.totp.requirement(challenge.agentId)) !== 'enrol') throw badChallenge();
    return this.totp.startEnrolment(challenge.agentId);
  }

  @Post('totp/enrolment')
  @HttpCode(HttpStatus.OK)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Set up a second factor: a new TOTP secret, confirmed by its first code' })
  @ApiOkResponse({ type: TotpEnrolmentDto })
  enrol(@CurrentUser() user: AuthUser): Promise<TotpEnrolmentDto> {
    return this.totp.startEnrolment(user.id);
  }

  @Post('totp/enrolment/confirm')
  @HttpCode(HttpStatus.OK)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Confirm the new factor with its first code; the recovery codes are shown this once' })
  @ApiOkResponse({ type: RecoveryCodesDto })
  async confirm(@CurrentUser() user: AuthUser, @Body() body: TotpCodeDto, @Req() req: Req): Promise<RecoveryCodesDto> {
    const recoveryCodes = await this.totp.confirmEnrolment(user.id, body.code, contextOf(req));
    if (!recoveryCodes) throw wrongCode();
    return { recoveryCodes };
  }
}

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('v1/admin/agents')
export class TotpAdminController {
  constructor(private readonly totp: TotpService) {}

  @Delete(':id/totp')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: "Remove an agent's second factor and recovery codes (a lost phone); they set it up again at next sign-in" })
  @ApiNoContentResponse()
  async reset(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Req() req: Req): Promise<void> {
    await this.totp.reset(id, user.id, contextOf(req));
  }
}
