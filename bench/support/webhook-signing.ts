/**
 * How the platforms sign the webhooks they send, for the simulator, the soak and the tests that play a platform:
 * one place, so that a change in how a platform signs is made once and every sender follows it.
 */
import twilio from 'twilio';
import { signHubSignature256 } from '@lib/webhook-signature';

/** Meta sends JSON with every non-ASCII character escaped as \uXXXX, and signs exactly those bytes. */
export function metaBody(payload: unknown): string {
  return JSON.stringify(payload).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `X-Hub-Signature-256` over the raw body, as Meta (Messenger, WhatsApp, Instagram) signs with the app secret. */
export function metaSignature(appSecret: string, rawBody: string | Buffer): string {
  return signHubSignature256(appSecret, rawBody);
}

/** The headers of a Meta webhook whose body is `rawBody` (made with metaBody). */
export function metaHeaders(appSecret: string, rawBody: string): Record<string, string> {
  return { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(appSecret, rawBody) };
}

/** Telegram signs nothing: it sends back the secret token given with setWebhook. */
export function telegramHeaders(secretToken: string): Record<string, string> {
  return { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secretToken };
}

/** `X-Twilio-Signature` over the full URL Twilio requested and the form parameters, with the account's auth token. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

/** The headers of a Twilio webhook posting `params` as a form to `url`. */
export function twilioHeaders(authToken: string, url: string, params: Record<string, string>): Record<string, string> {
  return { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(authToken, url, params) };
}
