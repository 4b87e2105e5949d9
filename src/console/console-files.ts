import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Where the built console is: `npm run build` writes it to dist/console, beside the compiled service
 * (dist/src/console/… → dist/console); run from the TypeScript sources (tests), the same folder is found
 * from the project root. Null when the console has not been built.
 */
export function findConsoleDir(from = __dirname): string | null {
  // The sources' own folder first: from there, ../../console would be console/ itself, the unbuilt sources.
  const candidates = [resolve(from, '..', '..', 'dist', 'console'), resolve(from, '..', '..', 'console')];
  // Vite's manifest marks a build: console/ of the sources has an index.html too.
  return candidates.find((dir) => existsSync(join(dir, 'index.html')) && existsSync(join(dir, '.vite', 'manifest.json'))) ?? null;
}

/**
 * Twilio's Voice SDK signals over a websocket to Twilio's edge (chunderw-vpc-gll[-region].twilio.com) and reports
 * call quality to eventgw.twilio.com. Its media (WebRTC) is not subject to CSP, and its ring tones, which would
 * come from Twilio's CDN, are switched off in the console.
 */
const TWILIO_VOICE_HOSTS = 'wss://*.twilio.com https://eventgw.twilio.com';

/**
 * The console's Content-Security-Policy: only its own scripts, styles and images, requests to this origin and
 * its own websocket (the /agents socket), and, where the voice channel is configured, the softphone's
 * connection to Twilio. Set on every console response by the console's controller, so it holds
 * whatever headers the rest of the API gets.
 */
export function consoleCsp(host: string | undefined, secure: boolean, twilioVoice = false): string {
  // The websocket is named explicitly for browsers that do not let 'self' cover ws:/wss:. A Host header that is
  // not a plain host[:port] adds nothing.
  const socket =
    host && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? ` ${secure ? 'wss' : 'ws'}://${host}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${socket}${twilioVoice ? ` ${TWILIO_VOICE_HOSTS}` : ''}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** index.html is read once: it is small, and served for every client route. */
export class ConsoleIndex {
  private html: Buffer | null = null;

  constructor(private readonly dir: string) {}

  get(): Buffer {
    this.html ??= readFileSync(join(this.dir, 'index.html'));
    return this.html;
  }
}
