import { Controller, Get, HttpStatus, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { Public } from '../auth/auth.decorators';
import { ProblemException } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { consoleCsp, ConsoleIndex, findConsoleDir } from './console-files';

/** Hashed file names change with their content, so a browser may keep them for a year without asking. */
const ASSET_MAX_AGE_MS = 365 * 24 * 3600 * 1000;

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
    this.twilioVoice = Boolean(config.TWILIO_ACCOUNT_SID && config.TWILIO_API_KEY && config.TWILIO_API_SECRET && config.TWILIO_TWIML_APP_SID);
  }

  @Public()
  @Get()
  root(@Req() req: Request, @Res() res: Response): void {
    this.serve(req, res);
  }

  @Public()
  @Get('*path')
  path(@Req() req: Request, @Res() res: Response): void {
    this.serve(req, res);
  }

  private serve(req: Request, res: Response): void {
    if (!this.dir || !this.index) {
      throw new ProblemException(HttpStatus.NOT_FOUND, 'console-not-built', 'Not found', 'The console has not been built: run npm run build.');
    }
    res.set({
      'Content-Security-Policy': consoleCsp(req.get('host'), req.secure, this.twilioVoice),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
    });
    const relative = decodeURIComponent(req.path.replace(/^\/console\/?/, ''));
    if (relative.startsWith('assets/')) {
      const file = normalize(relative);
      if (file.split(sep).includes('..') || !existsSync(join(this.dir, file))) {
        throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', 'No such console file.');
      }
      res.sendFile(file, { root: this.dir, dotfiles: 'deny', maxAge: ASSET_MAX_AGE_MS, immutable: true });
      return;
    }
    res.type('html').set('Cache-Control', 'no-cache').send(this.index.get());
  }
}
