import { Controller, Get, HttpStatus, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { headerOf, type HttpReply, type HttpRequest, pathOf } from '../common/http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { Public } from '../auth/auth.decorators';
import { ProblemException } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { consoleCsp, ConsoleIndex, findConsoleDir } from './console-files';

/** Hashed file names change with their content, so a browser may keep them for a year without asking. */
const ASSET_CACHE = 'public, max-age=31536000, immutable';

/** What Vite writes into assets/; anything else is served as bytes. */
const ASSET_TYPES: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

/**
 * The staff console (a single-page application built from console/) at /console. Files under /console/assets/
 * are content-hashed and cached for a year; every other path is a client route and gets index.html, never
 * cached, so a reload of /console/tickets/VP-2026-000123 works and a new release is picked up at once.
 */
@ApiExcludeController()
@Controller('console')
export class ConsoleController {
  private readonly dir = findConsoleDir();
  private readonly index = this.dir ? new ConsoleIndex(this.dir) : null;
  /** The softphone may reach Twilio only where the voice channel is set up (the settings POST /v1/voice/token needs). */
  private readonly twilioVoice: boolean;

  constructor(config: AppConfig) {
    this.twilioVoice = Boolean(
      config.TWILIO_ACCOUNT_SID && config.TWILIO_API_KEY && config.TWILIO_API_SECRET && config.TWILIO_TWIML_APP_SID,
    );
  }

  @Public()
  @Get()
  root(@Req() req: HttpRequest, @Res() res: HttpReply): void {
    this.serve(req, res);
  }

  @Public()
  // Fastify's wildcard: the rest of the path, whatever it is.
  @Get('*')
  path(@Req() req: HttpRequest, @Res() res: HttpReply): void {
    this.serve(req, res);
  }

  private serve(req: HttpRequest, res: HttpReply): void {
    if (!this.dir || !this.index) {
      throw new ProblemException(
        HttpStatus.NOT_FOUND,
        'console-not-built',
        'Not found',
        'The console has not been built: run npm run build.',
      );
    }
    res.headers({
      'Content-Security-Policy': consoleCsp(headerOf(req, 'host'), req.protocol === 'https', this.twilioVoice),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
    });
    const relative = decodeURIComponent(pathOf(req).replace(/^\/console\/?/, ''));
    if (relative.startsWith('assets/')) {
      const file = normalize(relative);
      const stat = file.split(sep).some((part) => part === '..' || part.startsWith('.'))
        ? undefined
        : statSync(join(this.dir, file), { throwIfNoEntry: false });
      if (!stat?.isFile()) {
        throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', 'No such console file.');
      }
      res
        .type(ASSET_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream')
        .header('Cache-Control', ASSET_CACHE)
        .header('Content-Length', String(stat.size))
        .header('Last-Modified', stat.mtime.toUTCString())
        .send(createReadStream(join(this.dir, file)));
      return;
    }
    res.type('text/html; charset=utf-8').header('Cache-Control', 'no-cache').send(this.index.get());
  }
}
