import { Controller, Get, HttpStatus, Req, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { Public } from './auth.decorators';
import { TokenResponseDto } from './dto/login.dto';
import { OIDC_LOGIN_TTL_SECONDS, OidcService } from './oidc.service';
import { SignInService } from './sign-in.service';

const COOKIE = 'vp_oidc';
const COOKIE_PATH = '/v1/auth/oidc';

type Req = Request & { id?: string };

/** The cookie header's value of one cookie, without a parser for the whole app. */
function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return decodeURIComponent(part.slice(at + 1).trim());
  }
  return undefined;
}

@ApiTags('auth')
@Controller('v1/auth/oidc')
export class OidcController {
  constructor(
    private readonly oidc: OidcService,
    private readonly signIn: SignInService,
    private readonly config: AppConfig,
  ) {}

  @Public()
  @Get('login')
  @ApiOperation({ summary: "Single sign-on: redirects the browser to the identity provider (404 when it is not set up)" })
  @ApiFoundResponse({ description: "To the provider's authorization endpoint" })
  async login(@Res() res: Response): Promise<void> {
    const { url, cookie } = await this.oidc.begin();
    // Lax: the browser brings it back on the provider's top-level redirect to the callback, and on nothing else.
    res.cookie(COOKIE, cookie, { httpOnly: true, sameSite: 'lax', secure: this.secure, path: COOKIE_PATH, maxAge: OIDC_LOGIN_TTL_SECONDS * 1000 });
    res.redirect(HttpStatus.FOUND, url);
  }

  @Public()
  @Get('callback')
  @ApiOperation({
    summary: 'Where the identity provider sends the browser back: the usual tokens, or the second-factor step',
    description: 'Answers like POST /v1/auth/login: tokens, or 401 totp-required / totp-enrolment-required with a challenge token.',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  async callback(@Req() req: Req, @Res({ passthrough: true }) res: Response): Promise<TokenResponseDto> {
    // One use: whatever the outcome, this browser starts over for the next attempt.
    res.clearCookie(COOKIE, { httpOnly: true, sameSite: 'lax', secure: this.secure, path: COOKIE_PATH });
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    const context = { ip: req.ip ?? null, requestId: req.id ? String(req.id) : null };
    const agentId = await this.oidc.finish(cookieOf(req, COOKIE), query, context);
    return this.signIn.complete(agentId, req.ip ?? null);
  }

  private get secure(): boolean {
    return (this.config.OIDC_REDIRECT_URI ?? '').startsWith('https://');
  }
}
