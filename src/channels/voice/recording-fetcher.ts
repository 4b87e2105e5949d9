import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import type { InboundAttachment } from '../../inbound/inbound-message';
import { MetricsService } from '../../metrics/metrics.service';

/** A voicemail is at most VOICE_VOICEMAIL_MAX_SECONDS long; at Twilio's 32 kbit/s MP3 this leaves a wide margin. */
const MAX_RECORDING_BYTES = 25 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 20_000;

/** An MP3 file starts with an ID3 tag or with an MPEG audio frame header (eleven set sync bits). */
export function looksLikeMp3(buf: Buffer): boolean {
  if (buf.length >= 3 && buf.toString('latin1', 0, 3) === 'ID3') return true;
  return buf.length >= 2 && buf[0] === 0xff && (buf[1] & 0xe0) === 0xe0;
}

/**
 * The recording's own URL as Twilio gives it, if it is one of this account's recordings: only those are fetched
 * with the account's credentials (anything else in a callback would be a way to send them elsewhere).
 */
export function ownRecordingPath(recordingUrl: string, accountSid: string): string | null {
  let url: URL;
  try {
    url = new URL(recordingUrl);
  } catch {
    return null;
  }
  const path = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Recordings\/RE[0-9a-f]{32}$/.exec(url.pathname);
  if (url.protocol !== 'https:' || url.hostname !== 'api.twilio.com' || !path || path[1] !== accountSid || url.search || url.username) return null;
  return url.pathname;
}

/**
 * Fetches a voicemail's audio from Twilio, so that the message keeps the recording itself rather than a link that
 * needs the account's credentials to open and lasts only as long as Twilio keeps the file.
 */
@Injectable()
export class RecordingFetcher {
  private readonly logger = new Logger(RecordingFetcher.name);

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  /** The recording as an MP3 attachment, or null (logged and counted) when it cannot be had. */
  async fetch(recordingSid: string, recordingUrl: string): Promise<InboundAttachment | null> {
    const fail = (reason: string, detail?: unknown): null => {
      this.metrics.voiceRecordings.inc({ outcome: 'failed', reason });
      this.logger.warn({ recordingSid, reason, detail }, 'voicemail recording not downloaded; the message keeps its link');
      return null;
    };
    const { TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token, TWILIO_API_BASE_URL: base } = this.config;
    if (!sid || !token) return fail('not_configured');
    const path = ownRecordingPath(recordingUrl, sid);
    if (!path) return fail('foreign_url', recordingUrl);
    let response: Response;
    try {
      response = await fetch(`${base}${path}.mp3`, {
        headers: { Authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}` },
        redirect: 'error',
        signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
      });
    } catch (error) {
      return fail('unreachable', (error as Error).message);
    }
    if (!response.ok) {
      await response.body?.cancel();
      return fail(`http_${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > MAX_RECORDING_BYTES) {
      await response.body?.cancel();
      return fail('too_large', declared);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body ?? []) {
        size += chunk.length;
        if (size > MAX_RECORDING_BYTES) {
          await response.body?.cancel();
          return fail('too_large', size);
        }
        chunks.push(Buffer.from(chunk));
      }
    } catch (error) {
      return fail('unreachable', (error as Error).message);
    }
    const content = Buffer.concat(chunks);
    if (!looksLikeMp3(content)) return fail('not_audio', content.length);
    this.metrics.voiceRecordings.inc({ outcome: 'stored', reason: '' });
    return { filename: `voicemail-${recordingSid}.mp3`, contentType: 'audio/mpeg', content };
  }
}
