import { Controller, Get, HttpStatus, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { HttpReply, HttpRequest } from '../../common/http';
import { Public } from '../../auth/auth.decorators';
import { ProblemException, validationProblem } from '../../common/problem';
import { ChatWidgetAssets, WidgetAsset } from './chat-widget-assets';
import { widgetCsp, WIDGET_LANGUAGES, WidgetLanguage, widgetPage } from './chat-widget.page';
import { ChatWidgetSettingsService } from './chat-widget-settings.service';

const INSTITUTION = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * The citizen's chat widget: `embed.js` (the launcher a host site includes), the conversation page it opens in an
 * iframe, and the page's script and styles. Everything here is public: visitors have no accounts.
 */
@ApiTags('chat')
@Controller('chat')
export class ChatWidgetController {
  constructor(
    private readonly assets: ChatWidgetAssets,
    private readonly widgetSettings: ChatWidgetSettingsService,
  ) {}

  @Public()
  @Get('embed.js')
  @ApiOperation({
    summary: 'The launcher a host site includes: <script src=".../chat/embed.js" data-institution="VSAA" data-language="lv" async>',
  })
  embed(@Req() req: HttpRequest, @Res() res: HttpReply): void {
    // Short caching: host sites link this fixed address, and a new build must reach them within minutes.
    this.sendAsset(req, res, 'embed.js', 'public, max-age=300');
  }

  @Public()
  @Get('widget.js')
  @ApiOperation({ summary: "The conversation page's script (linked with its content hash)" })
  script(@Req() req: HttpRequest, @Res() res: HttpReply): void {
    this.sendAsset(req, res, 'widget.js', 'public, max-age=31536000, immutable');
  }

  @Public()
  @Get('widget.css')
  @ApiOperation({ summary: "The conversation page's styles (linked with their content hash)" })
  styles(@Req() req: HttpRequest, @Res() res: HttpReply): void {
    this.sendAsset(req, res, 'widget.css', 'public, max-age=31536000, immutable');
  }

  /**
   * Asked by embed.js on the host page: whether this host (the browser's Origin header, which the page cannot
   * forge) may embed the institution's widget, and how the launcher looks. Any origin may ask.
   */
  @Public()
  @Get('embed/config')
  @ApiOperation({ summary: 'For embed.js: whether the asking site may embed the institution’s widget, and the launcher’s colour' })
  async embedConfig(@Req() req: HttpRequest, @Res() res: HttpReply, @Query('institution') institution?: string): Promise<void> {
    const code = this.institutionParam(institution);
    const settings = await this.widgetSettings.settings(code);
    if (!settings) throw this.unknownInstitution(code);
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    res
      .header('Access-Control-Allow-Origin', '*')
      .header('Cache-Control', 'no-store')
      .header('Vary', 'Origin')
      .send({ allowed: this.widgetSettings.allows(settings, origin), colour: settings.colour, centreName: settings.centreName });
  }

  @Public()
  @Get('widget')
  @ApiOperation({
    summary: 'The conversation page (opened by embed.js in an iframe): ?institution=VSAA&lang=lv|ru|en',
    description:
      "Framed only by the institution's allowed host sites (CSP frame-ancestors). The socket events it uses are described in docs/chat.md.",
  })
  async widget(@Res() res: HttpReply, @Query('institution') institution?: string, @Query('lang') lang?: string): Promise<void> {
    const language = (lang ?? 'lv') as WidgetLanguage;
    if (!WIDGET_LANGUAGES.includes(language)) throw validationProblem([{ field: 'lang', code: 'invalid', message: 'lv, ru or en' }]);
    const code = institution === undefined || institution === '' ? null : this.institutionParam(institution);
    const settings = await this.widgetSettings.settings(code);
    if (!settings) throw this.unknownInstitution(code);
    const js = this.assets.get('widget.js');
    const css = this.assets.get('widget.css');
    if (!js || !css) throw this.notBuilt();
    const { allowedOrigins, ...shown } = settings;
    // Portals embed the widget in an iframe: frame-ancestors below decides who may, not the frame rule every other answer carries.
    res.removeHeader('X-Frame-Options');
    res
      .type('text/html; charset=utf-8')
      .header('Content-Security-Policy', widgetCsp(allowedOrigins, settings.logoUrl))
      .header('Cache-Control', 'no-store')
      .header('Referrer-Policy', 'no-referrer')
      .header('X-Content-Type-Options', 'nosniff')
      .send(widgetPage({ lang: language, settings: shown }, { js: js.version, css: css.version }));
  }

  private institutionParam(value: string | undefined): string {
    if (typeof value !== 'string' || !INSTITUTION.test(value)) {
      throw validationProblem([{ field: 'institution', code: 'invalid', message: 'an institution code, e.g. VSAA' }]);
    }
    return value.toUpperCase();
  }

  private unknownInstitution(code: string | null): ProblemException {
    return new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No institution ${code}.`);
  }

  private notBuilt(): ProblemException {
    return new ProblemException(
      HttpStatus.SERVICE_UNAVAILABLE,
      'widget-not-built',
      'Unavailable',
      'The chat widget is not built on this server (npm run build).',
    );
  }

  private sendAsset(req: HttpRequest, res: HttpReply, name: WidgetAsset, cacheControl: string): void {
    const asset = this.assets.get(name);
    if (!asset) throw this.notBuilt();
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    res
      .type(name.endsWith('.css') ? 'text/css' : 'application/javascript')
      .header('Cache-Control', cacheControl)
      .header('Vary', 'Accept-Encoding')
      .header('X-Content-Type-Options', 'nosniff')
      // The launcher is loaded by other sites' pages; it must be allowed to be read cross-origin.
      .header('Cross-Origin-Resource-Policy', 'cross-origin');
    if (gzip) res.header('Content-Encoding', 'gzip');
    res.send(gzip ? asset.gzip : asset.body);
  }
}
