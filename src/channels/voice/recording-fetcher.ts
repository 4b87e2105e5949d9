import { Injectable, Logger } from '@nestjs/common';
import { detectMediaType } from '@lib/attachments';
import { readCapped, transportFailure } from '../../common/download';
import { AppConfig } from '../../config/app-config';
import type { InboundAttachment } from '../../inbound/inbound-message';
import { MetricsService } from '../../metrics/metrics.service';

/** A voicemail is at most VOICE_VOICEMAIL_MAX_SECONDS long; at Twilio's 32 kbit/s MP3 this leaves a wide margin. */
const MAX_RECORDING_BYTES = 25 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 20_000;

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
  if (url.protocol !== 'https:' || url.hostname !== 'api.twilio.com' || !path || path[1] !== accountSid || url.search || url.username)
    return null;
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
    let content: Buffer;
    try {
      const response = await fetch(`${base}${path}.mp3`, {
        headers: { Authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}` },
        redirect: 'error',
        signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
      });
      if (!response.ok) {
        await response.body?.cancel();
        return fail(`http_${response.status}`);
      }
      content = await readCapped(response, MAX_RECORDING_BYTES);
    } catch (error) {
      return fail(transportFailure(error).reason, (error as Error).message);
    }
    if (detectMediaType(content)?.mime !== 'audio/mpeg') return fail('not_audio', content.length);
    this.metrics.voiceRecordings.inc({ outcome: 'stored', reason: '' });
    return { filename: `voicemail-${recordingSid}.mp3`, contentType: 'audio/mpeg', content };
  }
}
