/**
 * The soak's citizens and its view of the inbox. Citizens arrive at a steady rate on the inbound channels (calls
 * through the IVR, e-mails over SMTP, web forms, WhatsApp and Telegram messages), each behaving as a well-made
 * client does when a request fails on the way (a connection cut, a 5xx while a process or a server is away): it
 * sends the same request again, with the same identity, until it is answered. An inbox watcher signed in as the
 * admin lists the newest tickets through the API over and over, and notes when each ticket first showed.
 */
import { createHmac, randomBytes } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import twilio from 'twilio';
import { CHANNEL_SHARES, pick, prng, weighted } from '@lib/simulated-day';
import { signTimestampedHmac } from '@lib/webhook-signature';
import { sleep, stopping } from '../lifecycle';
import { walkIvr } from '../simulation/ivr-caller';
import { LANGUAGE_SHARES, names, questionsIn } from '../simulation/texts';

export interface SoakTarget {
  baseUrl: string;
  webformSecret: string;
  /** The URL Twilio signs over (the service's PUBLIC_BASE_URL) and the account's credentials. */
  twilio: { accountSid: string; authToken: string; publicBaseUrl: string };
  metaAppSecret: string;
  telegramSecret: string;
  /** SMTP that delivers into the mailbox the service reads, and that mailbox's address. */
  smtp?: { host: string; port: number; mailbox: string };
}

/** The inbound channels a citizen starts on; chat (a conversation) and counter (staff typing) are not inbound events. */
export type SoakChannel = 'phone' | 'email' | 'webform' | 'social';
export const SOAK_CHANNELS: SoakChannel[] = ['phone', 'email', 'webform', 'social'];

export interface SentContact {
  n: number;
  channel: SoakChannel;
  /** What the ticket's first inbound message carries: a marker word in the text, or for a call the caller's number. */
  key: string;
  /** Date.now() when the citizen began. */
  startedAt: number;
  /** Date.now() when the last request was answered 2xx; undefined while trying, or when the client gave up. */
  acceptedAt?: number;
  /** Requests resent after a failure. */
  resent: number;
  gaveUp?: string;
}

/** Markers look the same in every run: the tally finds them in message texts with this pattern. */
export const MARKER_PATTERN = 'soak[a-z0-9]+x[0-9]{7}';
/** The text of a call's ticket message begins so (src/channels/voice/voice-calls.service.ts). */
export const CALL_PATTERN = '^Call from (\\+[0-9]+)';

/** How long a citizen keeps resending before giving up: longer than any fault of the schedule lasts. */
const GIVE_UP_MS = 180_000;
const RESEND_PAUSE_MS = 500;

class Refused extends Error {}

/**
 * A steady stream of `rate` contacts a second for `durationMs` (each second's count drawn around the rate, at
 * seeded moments within it); resolves when every citizen has been answered or has given up.
 */
export async function sendContacts(
  target: SoakTarget,
  options: { run: string; seed: number; rate: number; durationMs: number; onStart?: (c: SentContact) => void },
): Promise<SentContact[]> {
  const day = prng(options.seed);
  const shares = Object.fromEntries(
    SOAK_CHANNELS.filter((ch) => ch !== 'email' || target.smtp).map((ch) => [ch, CHANNEL_SHARES[ch]]),
  ) as Record<SoakChannel, number>;
  const times: number[] = [];
  for (let second = 0; second * 1000 < options.durationMs; second++) {
    const count = Math.floor(options.rate) + (day() < options.rate - Math.floor(options.rate) ? 1 : 0);
    for (let i = 0; i < count; i++) times.push(second * 1000 + day() * 1000);
  }
  times.sort((a, b) => a - b);
  const mail = target.smtp
    ? nodemailer.createTransport({
        host: target.smtp.host,
        port: target.smtp.port,
        secure: false,
        ignoreTLS: true,
        pool: true,
        maxConnections: 4,
      })
    : null;
  const phoneBase = 20_000_000 + Math.floor(day() * 7_000_000);
  const updateBase = 100_000_000 + Math.floor(day() * 100_000_000);
  const contacts: SentContact[] = [];
  const inFlight = new Set<Promise<void>>();
  const start = Date.now();
  for (let i = 0; i < times.length && !stopping; i++) {
    const wait = start + times[i] - Date.now();
    if (wait > 0) await sleep(wait);
    const n = i + 1;
    const channel = weighted(day, shares);
    const c: SentContact = {
      n,
      channel,
      key: channel === 'phone' ? `+371${phoneBase + n}` : `soak${options.run}x${String(n).padStart(7, '0')}`,
      startedAt: Date.now(),
      resent: 0,
    };
    contacts.push(c);
    options.onStart?.(c);
    const p = citizen(target, c, options.run, prng(options.seed * 7919 + n), mail, updateBase + n)
      .then(
        () => void (c.acceptedAt = Date.now()),
        (e: Error) => void (c.gaveUp = e.message.slice(0, 300)),
      )
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  mail?.close();
  return contacts;
}

/** Sends until answered 2xx: a network error, a 5xx, 408 or 429 is resent after a pause; any other 4xx is a bug and ends it. */
async function resend(c: SentContact, what: string, send: () => Promise<Response>): Promise<string> {
  const until = Date.now() + GIVE_UP_MS;
  let last = '';
  for (let attempt = 0; Date.now() < until && !stopping; attempt++) {
    if (attempt > 0) {
      c.resent += 1;
      await sleep(RESEND_PAUSE_MS);
    }
    try {
      const res = await send();
      const body = await res.text();
      if (res.status < 300) return body;
      last = `HTTP ${res.status} ${body.slice(0, 200)}`;
      // 408: the proxy's request timeout, when this client was too slow to send (a loaded machine); sent again.
      if (res.status < 500 && res.status !== 429 && res.status !== 408) throw new Refused(`${what}: ${last}`);
    } catch (e) {
      if (e instanceof Refused) throw e;
      last = (e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message;
    }
  }
  throw new Error(`${what}: not answered in ${GIVE_UP_MS / 1000} s; last: ${last}`);
}

async function citizen(
  target: SoakTarget,
  c: SentContact,
  run: string,
  random: () => number,
  mail: Transporter | null,
  updateId: number,
): Promise<void> {
  const language = weighted(random, LANGUAGE_SHARES);
  const q = pick(random, questionsIn(language));
  const [firstName, lastName] = pick(random, names);
  const text = `${q.text}\n${firstName} (${c.key})`;
  const post = (path: string, body: string, headers: Record<string, string>) =>
    resend(c, path, () => fetch(`${target.baseUrl}${path}`, { method: 'POST', headers, body, signal: AbortSignal.timeout(30_000) }));
  switch (c.channel) {
    case 'phone': {
      const { accountSid, authToken, publicBaseUrl } = target.twilio;
      const callSid = `CA${randomBytes(16).toString('hex')}`;
      const params = (extra: Record<string, string>) => ({
        AccountSid: accountSid,
        CallSid: callSid,
        From: c.key,
        To: '+37167000000',
        Direction: 'inbound',
        ...extra,
      });
      const step = (url: string, p: Record<string, string>) =>
        post(url.slice(publicBaseUrl.length), new URLSearchParams(p).toString(), {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, url, p),
        });
      await walkIvr(step, publicBaseUrl, params, random);
      return;
    }
    case 'email': {
      const from = `soak-${run}-${c.n}@iedzivotajs.example`;
      const messageId = `<${c.key}@iedzivotajs.example>`;
      const until = Date.now() + GIVE_UP_MS;
      for (;;) {
        try {
          await mail!.sendMail({
            from: `${firstName} ${lastName} <${from}>`,
            to: target.smtp!.mailbox,
            subject: q.subject,
            text,
            messageId,
          });
          return;
        } catch (e) {
          if (Date.now() > until || stopping) throw e;
          c.resent += 1;
          await sleep(RESEND_PAUSE_MS);
        }
      }
    }
    case 'webform': {
      const raw = JSON.stringify({
        submissionId: `LV-SOAK-${run}-${c.n}`,
        submittedAt: new Date(c.startedAt).toISOString(),
        form: q.kind === 'application' ? 'application' : q.kind === 'complaint' ? 'complaint' : 'question',
        institution: q.institution,
        topic: q.topic,
        language,
        applicant: { firstName, lastName, email: `soak.${run}.${c.n}@iedzivotajs.example`, phone: `+3712${String(c.n).padStart(7, '0')}` },
        subject: q.subject,
        message: text,
      });
      // A resent form is signed again (the signature carries the time); the submission id makes it the same form.
      await resend(c, '/v1/channels/webform/submissions', () =>
        fetch(`${target.baseUrl}/v1/channels/webform/submissions`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-signature': signTimestampedHmac(target.webformSecret, raw, Math.floor(Date.now() / 1000)),
          },
          body: raw,
          signal: AbortSignal.timeout(30_000),
        }),
      );
      return;
    }
    case 'social': {
      if (random() < 0.6) {
        const wa = `37129${String(c.n).padStart(6, '0')}`;
        const payload = {
          object: 'whatsapp_business_account',
          entry: [
            {
              id: 'WABA1',
              changes: [
                {
                  field: 'messages',
                  value: {
                    messaging_product: 'whatsapp',
                    metadata: { display_phone_number: '37167000000', phone_number_id: 'PNID1' },
                    contacts: [{ profile: { name: firstName }, wa_id: wa }],
                    messages: [
                      {
                        from: wa,
                        id: `wamid.SOAK${run}${c.n}`,
                        timestamp: String(Math.floor(c.startedAt / 1000)),
                        type: 'text',
                        text: { body: text },
                      },
                    ],
                  },
                },
              ],
            },
          ],
        };
        // Meta escapes every non-ASCII character and signs exactly those bytes.
        const raw = JSON.stringify(payload).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
        await post('/v1/channels/social/meta/webhook', raw, {
          'content-type': 'application/json',
          'x-hub-signature-256': `sha256=${createHmac('sha256', target.metaAppSecret).update(raw, 'utf8').digest('hex')}`,
        });
      } else {
        const id = 7_000_000_000 + c.n;
        const body = JSON.stringify({
          update_id: updateId,
          message: {
            message_id: c.n,
            from: { id, is_bot: false, first_name: firstName },
            chat: { id, type: 'private' },
            date: Math.floor(c.startedAt / 1000),
            text,
          },
        });
        await post('/v1/channels/social/telegram/webhook', body, {
          'content-type': 'application/json',
          'x-telegram-bot-api-secret-token': target.telegramSecret,
        });
      }
      return;
    }
  }
}

/**
 * The admin's inbox, newest first, read again as soon as the last read came back (at most every `everyMs`): each
 * ticket's first sighting is when a person watching the inbox could have seen it. A read that fails (the process
 * behind the proxy died, the database restarts) is tried again; the pages of one read go back to a ticket already
 * seen, so a slow read misses nothing.
 */
export class InboxWatcher {
  readonly seenAt = new Map<string, number>();
  reads = 0;
  failedReads = 0;
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly baseUrl: string,
    private readonly login: { email: string; password: string },
    everyMs: number,
  ) {
    this.loop = this.watch(everyMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async token(): Promise<string> {
    const res = await fetch(`${this.baseUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(this.login),
      signal: AbortSignal.timeout(30_000),
    });
    if (res.status >= 300) throw new Error(`login: HTTP ${res.status}`);
    return ((await res.json()) as { accessToken: string }).accessToken;
  }

  private async watch(everyMs: number): Promise<void> {
    let token = '';
    while (this.running && !stopping) {
      const began = Date.now();
      try {
        token ||= await this.token();
        let cursor: string | null = null;
        // Down to a page with nothing new: batches commit out of order, so a new ticket may sit below a known one.
        for (let page = 0; page < 20; page++) {
          const url = `${this.baseUrl}/v1/tickets?limit=100&snoozed=include${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
          const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
          if (res.status === 401) token = '';
          if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
          const body = (await res.json()) as { items: Array<{ id: string }>; nextCursor: string | null };
          const at = Date.now();
          let fresh = 0;
          for (const t of body.items) {
            if (this.seenAt.has(t.id)) continue;
            this.seenAt.set(t.id, at);
            fresh += 1;
          }
          cursor = body.nextCursor;
          if (fresh === 0 || !cursor) break;
        }
        this.reads += 1;
      } catch {
        this.failedReads += 1;
      }
      await sleep(Math.max(0, everyMs - (Date.now() - began)));
    }
  }
}
