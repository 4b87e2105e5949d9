import { Injectable } from '@nestjs/common';
import { detectMediaType, DetectedFileType } from '@lib/attachments';
import { isIP } from 'node:net';
import { DownloadFailure, isPermanentStatus, readCapped, transportFailure } from '../../common/download';
import { AppConfig } from '../../config/app-config';
import type { SocialAttachment, SocialPlatform } from './social-event';

/** Long enough for 20 MB on a slow link; a hung platform must not hold a worker slot for ever. */
const REQUEST_TIMEOUT_MS = 60_000;
const MAX_REDIRECTS = 3;

/** Domains Meta serves WhatsApp media and page attachments from (lookaside.fbsbx.com, *.whatsapp.net...). */
const META_MEDIA_DOMAINS = ['fbsbx.com', 'facebook.com', 'whatsapp.net'];

export interface FetchedMedia {
  content: Buffer;
  type: DetectedFileType;
}

function parse(url: string | URL): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * Whether the Meta access token may go to this URL: the configured Graph API itself, or Meta's media hosts over
 * https on the default port. A URL from a webhook payload or a Graph answer could name any host; the token,
 * which can send messages as the page, goes nowhere else.
 */
export function mayCarryMetaToken(url: string | URL, graphBaseUrl: string): boolean {
  const u = parse(url);
  const graph = parse(graphBaseUrl);
  if (!u || !graph || u.username || u.password) return false;
  if (u.origin === graph.origin) return true;
  if (u.protocol !== 'https:' || u.port !== '') return false;
  const host = u.hostname.toLowerCase();
  return META_MEDIA_DOMAINS.some((d) => host === d || host.endsWith(`.${d}`));
}

/**
 * Whether an attachment URL from a Messenger or Instagram webhook may be fetched (without credentials): https to
 * a named host, or the Graph API's own origin (where a proxy, or a test, stands in for Meta's CDN).
 */
export function mayFetchPublicMedia(url: string | URL, graphBaseUrl: string): boolean {
  const u = parse(url);
  const graph = parse(graphBaseUrl);
  if (!u || !graph || u.username || u.password) return false;
  if (u.origin === graph.origin) return true;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return u.protocol === 'https:' && isIP(host) === 0 && host !== 'localhost';
}

/**
 * Messenger and Instagram attachment kinds whose URL is the file itself. A `fallback` or `share` carries a link
 * to any web page the customer shared, which is not theirs to hand over and is not fetched.
 */
const PAGE_FILE_KINDS = ['image', 'video', 'audio', 'file', 'story_mention'];

export function isFetchedKind(platform: SocialPlatform, kind: string): boolean {
  return platform === 'whatsapp' || platform === 'telegram' || PAGE_FILE_KINDS.includes(kind);
}

/**
 * Downloads a file a citizen sent on a social channel from the platform that holds it: WhatsApp media by id
 * through the Graph API, Messenger and Instagram attachments from their (expiring) CDN URL, Telegram files
 * through getFile. Every request has a timeout, the size is capped while reading, and the type is taken from the
 * bytes. Never puts a URL in an error: Telegram's hold the bot token.
 */
@Injectable()
export class SocialMediaFetcher {
  constructor(private readonly config: AppConfig) {}

  async fetch(platform: SocialPlatform, attachment: SocialAttachment): Promise<FetchedMedia> {
    if (!isFetchedKind(platform, attachment.type)) throw new DownloadFailure('not_a_file', true);
    const content =
      platform === 'telegram'
        ? await this.telegram(attachment)
        : platform === 'whatsapp'
          ? await this.whatsapp(attachment)
          : await this.messenger(attachment);
    const type = detectMediaType(content);
    if (!type) throw new DownloadFailure('type_refused', true);
    return { content, type };
  }

  private async whatsapp(a: SocialAttachment): Promise<Buffer> {
    const token = this.config.META_ACCESS_TOKEN;
    if (!token) throw new DownloadFailure('not_configured', true);
    if (!a.mediaId) throw new DownloadFailure('no_reference', true);
    const graph = this.config.META_GRAPH_BASE_URL;
    const info = await this.json(`${graph}/${this.config.META_GRAPH_API_VERSION}/${encodeURIComponent(a.mediaId)}`, token, (u) =>
      mayCarryMetaToken(u, graph),
    );
    if (typeof info.url !== 'string') throw new DownloadFailure('bad_answer', true);
    if (typeof info.file_size === 'number' && info.file_size > this.config.SOCIAL_MAX_MEDIA_BYTES)
      throw new DownloadFailure('too_large', true);
    // The media URL needs the token too, so a URL off Meta's hosts is refused rather than fetched bare.
    return this.download(info.url, token, (u) => mayCarryMetaToken(u, graph));
  }

  private async messenger(a: SocialAttachment): Promise<Buffer> {
    if (!a.url) throw new DownloadFailure('no_reference', true);
    const graph = this.config.META_GRAPH_BASE_URL;
    return this.download(a.url, null, (u) => mayFetchPublicMedia(u, graph));
  }

  private async telegram(a: SocialAttachment): Promise<Buffer> {
    const token = this.config.TELEGRAM_BOT_TOKEN;
    if (!token) throw new DownloadFailure('not_configured', true);
    if (!a.mediaId) throw new DownloadFailure('no_reference', true);
    const base = this.config.TELEGRAM_API_BASE_URL;
    const sameOrigin = (u: URL) => u.origin === new URL(base).origin;
    const answer = await this.json(`${base}/bot${token}/getFile?file_id=${encodeURIComponent(a.mediaId)}`, null, sameOrigin);
    const file = answer.ok === true && answer.result && typeof answer.result === 'object' ? answer.result : null;
    if (!file || typeof file.file_path !== 'string') throw new DownloadFailure('bad_answer', true);
    if (typeof file.file_size === 'number' && file.file_size > this.config.SOCIAL_MAX_MEDIA_BYTES)
      throw new DownloadFailure('too_large', true);
    // A path that could leave /file/bot<token>/ is not Telegram's.
    if (
      !/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(file.file_path) ||
      file.file_path.split('/').some((s: string) => s === '..' || s === '.')
    ) {
      throw new DownloadFailure('bad_answer', true);
    }
    return this.download(`${base}/file/bot${token}/${file.file_path}`, null, sameOrigin);
  }

  private async json(url: string, bearer: string | null, allow: (u: URL) => boolean): Promise<Record<string, any>> {
    const body = await readCapped(await this.request(url, bearer, allow), 1024 * 1024);
    try {
      const parsed = JSON.parse(body.toString('utf8'));
      return parsed && typeof parsed === 'object' ? parsed : {};
    } catch {
      throw new DownloadFailure('bad_answer', true);
    }
  }

  private async download(url: string, bearer: string | null, allow: (u: URL) => boolean): Promise<Buffer> {
    return readCapped(await this.request(url, bearer, allow), this.config.SOCIAL_MAX_MEDIA_BYTES);
  }

  /** Follows redirects by hand, so each hop is checked like the first and the token never follows one elsewhere. */
  private async request(url: string, bearer: string | null, allow: (u: URL) => boolean): Promise<Response> {
    let current = parse(url);
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (!current || !allow(current)) throw new DownloadFailure('refused_url', true);
      const authorised = bearer && mayCarryMetaToken(current, this.config.META_GRAPH_BASE_URL);
      let res: Response;
      try {
        res = await fetch(current, { headers: authorised ? { Authorization: `Bearer ${bearer}` } : {}, redirect: 'manual', signal });
      } catch (error) {
        throw transportFailure(error);
      }
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        current = parse(new URL(location, current).href);
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new DownloadFailure(`http_${res.status}`, isPermanentStatus(res.status));
      }
      return res;
    }
    throw new DownloadFailure('too_many_redirects', true);
  }
}
