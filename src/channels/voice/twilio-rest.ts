import twilio from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient';
import { AppConfig } from '../../config/app-config';

/**
 * The twilio package's own HTTP client, sending every REST request to TWILIO_API_BASE_URL instead of
 * api.twilio.com: production leaves it alone, tests point it at a local server that records what arrives.
 */
export class BaseUrlRequestClient extends RequestClient {
  constructor(private readonly baseUrl: string) {
    super({ timeout: 10_000 });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const target = new URL(opts.uri);
    const base = new URL(this.baseUrl);
    target.protocol = base.protocol;
    target.host = base.host;
    return super.request({ ...opts, uri: target.href });
  }
}

export type TwilioRestClient = ReturnType<typeof twilio>;
export const TWILIO_REST = Symbol('TWILIO_REST');

/** null when the account is not configured: the routes that need it then answer 503. */
export function twilioRestClient(config: AppConfig): TwilioRestClient | null {
  if (!config.TWILIO_ACCOUNT_SID || !config.TWILIO_AUTH_TOKEN) return null;
  const custom = config.TWILIO_API_BASE_URL !== 'https://api.twilio.com';
  return twilio(config.TWILIO_ACCOUNT_SID, config.TWILIO_AUTH_TOKEN, {
    autoRetry: true,
    maxRetries: 2,
    ...(custom ? { httpClient: new BaseUrlRequestClient(config.TWILIO_API_BASE_URL) } : {}),
  });
}
