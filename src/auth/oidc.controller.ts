import { Controller, Get, HttpStatus, Req, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { HttpReply, HttpRequest } from '../common/http';
import { AppConfig } from '../config/app-config';
import { Public } from './auth.decorators';
import { TokenResponseDto } from './dto/login.dto';
import { OIDC_LOGIN_TTL_SECONDS, OidcService } from './oidc.service';
import { SignInService } from './sign-in.service';

const COOKIE = 'vp_oidc';
const COOKIE_PATH = '/v1/auth/oidc';

type Req = HttpRequest;

/** The cookie header's value of one cookie, without a parser for the whole app. */
function cookieOf(req: HttpRequest, name: string): string | undefined {
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
  @ApiOperation({ summary: 'Single sign-on: redirects the browser to the identity provider (404 when it is not set up)' })
  @ApiFoundResponse({ description: "To the provider's authorization endpoint" })
  async login(@Res() res: HttpReply): Promise<void> {
    const { url, cookie } = await this.oidc.begin();
    // Lax: the browser brings it back on the provider's top-level redirect to the callback, and on nothing else.
    res.header('Set-Cookie', this.cookie(encodeURIComponent(cookie), OIDC_LOGIN_TTL_SECONDS));
    res.redirect(url, HttpStatus.FOUND);
  }

  @Public()
  @Get('callback')
  @ApiOperation({
    summary: 'Where the identity provider sends the browser back: the usual tokens, or the second-factor step',
    description: 'Answers like POST /v1/auth/login: tokens, or 401 totp-required / totp-enrolment-required with a challenge token.',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  async callback(@Req() req: Req, @Res({ passthrough: true }) res: HttpReply): Promise<TokenResponseDto> {
    // One use: whatever the outcome, this browser starts over for the next attempt.
    res.header('Set-Cookie', this.cookie('', 0));
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    const context = { ip: req.ip ?? null, requestId: req.id ? String(req.id) : null };
    const agentId = await this.oidc.finish(cookieOf(req, COOKIE), query, context);
    return this.signIn.complete(agentId, req.ip ?? null);
  }

  /** The login cookie, or with no value and no life left its removal; there is no cookie library in the app for one cookie. */
  private cookie(value: string, maxAgeSeconds: number): string {
    const expires = new Date(maxAgeSeconds > 0 ? Date.now() + maxAgeSeconds * 1000 : 0).toUTCString();
    const parts = [
      `${COOKIE}=${value}`,
      `Path=${COOKIE_PATH}`,
      ...(maxAgeSeconds > 0 ? [`Max-Age=${maxAgeSeconds}`] : []),
      `Expires=${expires}`,
      'HttpOnly',
    ];
    if (this.secure) parts.push('Secure');
    parts.push('SameSite=Lax');
    return parts.join('; ');
  }

  private get secure(): boolean {
    return (this.config.OIDC_REDIRECT_URI ?? '').startsWith('https://');
  }
}
