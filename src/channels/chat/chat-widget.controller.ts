import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { randomBytes } from 'node:crypto';
import { Public } from '../../auth/auth.decorators';
import { widgetPage } from './chat-widget.page';

@ApiTags('chat')
@Controller('chat')
export class ChatWidgetController {
  @Public()
  @Get('widget')
  @ApiOperation({
    summary: 'A small embeddable chat widget (HTML + JS) for trying the /chat socket; embed it in an iframe',
    description: 'Self-contained; it loads the socket.io client from this server. The events it uses are described in docs/chat.md.',
  })
  widget(@Res() res: Response): void {
    // The page's one inline script runs by nonce; nothing else may run, and it may talk only to this server.
    const nonce = randomBytes(16).toString('base64');
    // Portals embed the widget in an iframe: the frame rule every other answer carries does not apply here.
    res.removeHeader('X-Frame-Options');
    res
      .type('html')
      .set('Content-Security-Policy', `default-src 'none'; script-src 'self' 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self' ws: wss:; img-src 'self' data:`)
      .set('Cache-Control', 'no-store')
      .send(widgetPage(nonce));
  }
}
