/**
 * The soak's citizens and its view of the inbox. Citizens arrive at a steady rate on every channel of the
 * simulator (calls through the IVR, e-mails over SMTP, web forms, chats over socket.io, WhatsApp, Messenger and
 * Telegram messages, and contacts at a counter logged by a member of staff), each behaving as a well-made client
 * does when a request fails on the way (a connection cut, a 5xx while a process or a server is away): it sends
 * the same request again, with the same identity, until it is answered; a chat visitor reconnects and resumes its
 * session as the widget does. An inbox watcher signed in as the admin lists the newest tickets through the API
 * over and over, and notes when each ticket first showed.
 */
import { randomBytes } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import { CHANNEL_SHARES, pick, prng, SimChannel, weighted } from '@lib/simulated-day';
import { signTimestampedHmac } from '@lib/webhook-signature';
import { sleep, stopping } from '../lifecycle';
import { ResumingChatVisitor } from '../simulation/chat-visitor';
import { counterContact } from '../simulation/counter-contact';
import { walkIvr } from '../simulation/ivr-caller';
import { messengerWebhook, socialPlatform, telegramUpdate, whatsappWebhook } from '../simulation/social-messages';
import { ASK_FOR_PERSON, LANGUAGE_SHARES, names, questionsIn } from '../simulation/texts';
import { metaBody, metaHeaders, telegramHeaders, twilioHeaders } from '../webhook-signing';

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

/** The simulator's channels, in its shares of a day. */
export type SoakChannel = SimChannel;
export const SOAK_CHANNELS = Object.keys(CHANNEL_SHARES) as SoakChannel[];

export interface SentContact {
  n: number;
  channel: SoakChannel;
  /** What the ticket's first inbound message carries: a marker word in the text, or for a call the caller's number. */
  key: string;
  /** Date.now() when the citizen began; for a chat, when the visitor sent the first message. */
  startedAt: number;
  /** Date.now() when the last request was answered 2xx; undefined while trying, or when the client gave up. */
  acceptedAt?: number;
  /** Requests resent after a failure. */
  resent: number;
  /** A chat visitor's connections after the first, each resuming the session. */
  reconnects?: number;
  gaveUp?: string;
}

/** Markers look the same in every run: the tally finds them in message texts with this pattern. */
export const MARKER_PATTERN = 'soak[a-z0-9]+x[0-9]{7}';
/** The text of a call's ticket message begins so (src/channels/voice/voice-calls.service.ts). */
export const CALL_PATTERN = '^Call from (\\+[0-9]+)';

/** How long a citizen keeps resending before giving up: longer than any fault of the schedule lasts. */
const GIVE_UP_MS = 180_000;
const RESEND_PAUSE_MS = 500;
/** A chat visitor reads the assistant's answer for this long before asking for a person… */
const CHAT_READING_MS = [2000, 6000];
/** …and then stays this long, waiting for one, before leaving: long enough for a fault to cut its connection. */
const CHAT_WAITING_MS = [5000, 20_000];

class Refused extends Error {}

/**
 * The member of staff who logs the counter contacts: an operator account made by the admin at the start, signed
 * in again whenever the service no longer takes the token.
 */
class CounterClerk {
  private token: Promise<string> | null = null;

  private constructor(
    private readonly baseUrl: string,
    private readonly login: { email: string; password: string },
  ) {}

  static async hire(baseUrl: string, admin: { email: string; password: string }, run: string): Promise<CounterClerk> {
    const adminToken = await signIn(baseUrl, admin);
    const login = { email: `soak-${run}-counter@vpppd.example`, password: `soak-${randomBytes(12).toString('hex')}` };
    const res = await fetch(`${baseUrl}/v1/admin/agents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({
        ...login,
        displayName: 'Klientu apkalpošanas centrs',
        roles: ['operator'],
        institutions: [],
        languages: ['lv', 'ru', 'en'],
        centre: 'VPPPD',
      }),
      signal: AbortSignal.timeout(30_000),
    });
    if (res.status >= 300) throw new Error(`counter clerk's account: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
    return new CounterClerk(baseUrl, login);
  }

  bearer(): Promise<string> {
    this.token ??= signIn(this.baseUrl, this.login).catch((e: Error) => {
      this.token = null;
      throw e;
    });
    return this.token.then((t) => `Bearer ${t}`);
  }

  signedOut(): void {
    this.token = null;
  }
}

async function signIn(baseUrl: string, login: { email: string; password: string }): Promise<string> {
  const res = await fetch(`${baseUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(login),
    signal: AbortSignal.timeout(30_000),
  });
  if (res.status >= 300) throw new Error(`login: HTTP ${res.status}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/**
 * A steady stream of `rate` contacts a second for `durationMs` (each second's count drawn around the rate, at
 * seeded moments within it); resolves when every citizen has been answered or has given up.
 */
export async function sendContacts(
  target: SoakTarget,
  options: {
    run: string;
    seed: number;
    rate: number;
    durationMs: number;
    /** Makes the account of the member of staff who logs counter contacts. */
    admin: { email: string; password: string };
    onStart?: (c: SentContact) => void;
  },
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
  const clerk = await CounterClerk.hire(target.baseUrl, options.admin, options.run);
  const mail = target.smtp
    ? nodemailer.createTransport({
        host: target.smtp.host,
        port: target.smtp.port,
        secure: false,
        ignoreTLS: true,
        pool: true,
        // Citizens' mail reaches a centre from many servers at once; four connections fell behind at 10 mails/s.
        maxConnections: 8,
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
    const p = citizen(target, c, options.run, prng(options.seed * 7919 + n), { mail, clerk }, updateBase + n)
      .then(
        () => void (c.acceptedAt ??= Date.now()),
        (e: Error) => void (c.gaveUp = e.message.slice(0, 300)),
      )
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  mail?.close();
  return contacts;
}

/**
 * Sends until answered 2xx: a network error, a 5xx, 408 or 429 is resent after a pause, and a 401 after
 * `signedOut` (the caller signs in again); any other 4xx is a bug and ends it.
 */
async function resend(c: SentContact, what: string, send: () => Promise<Response>, signedOut?: () => void): Promise<string> {
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
      if (res.status === 401 && signedOut) {
        signedOut();
        continue;
      }
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
  { mail, clerk }: { mail: Transporter | null; clerk: CounterClerk },
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
        post(url.slice(publicBaseUrl.length), new URLSearchParams(p).toString(), twilioHeaders(authToken, url, p));
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
      const message = { id: `SOAK${run}${c.n}`, text, firstName, at: c.startedAt };
      const platform = socialPlatform(random, { meta: true, telegram: true });
      if (platform === 'telegram') {
        const raw = JSON.stringify(telegramUpdate(message, updateId, 7_000_000_000 + c.n, c.n));
        await post('/v1/channels/social/telegram/webhook', raw, telegramHeaders(target.telegramSecret));
      } else {
        const raw = metaBody(
          platform === 'whatsapp'
            ? whatsappWebhook(message, `37129${String(c.n).padStart(6, '0')}`)
            : messengerWebhook({ ...message, id: `soak_${run}_${c.n}` }, `PSID${run}${c.n}`),
        );
        await post('/v1/channels/social/meta/webhook', raw, metaHeaders(target.metaAppSecret, raw));
      }
      return;
    }
    case 'counter': {
      const body = JSON.stringify(counterContact(q, language, text, { firstName, lastName }));
      // The same key on every try: a try whose answer was lost (the process died) gives back the same ticket.
      await resend(
        c,
        '/v1/contacts',
        async () =>
          fetch(`${target.baseUrl}/v1/contacts`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: await clerk.bearer(), 'idempotency-key': `soak-${run}-${c.n}` },
            body,
            signal: AbortSignal.timeout(30_000),
          }),
        () => clerk.signedOut(),
      );
      return;
    }
    case 'chat': {
      const visitor = new ResumingChatVisitor(target.baseUrl, { ackTimeoutMs: 30_000, giveUpMs: GIVE_UP_MS });
      const between = ([from, to]: number[]) => from + random() * (to - from);
      try {
        const started = await visitor.start({ language });
        if (!started.ok) throw new Refused(`chat start: ${JSON.stringify(started)}`);
        // The contact counts from the first message: a session with nothing said is no contact.
        c.startedAt = Date.now();
        const first = await visitor.send(`m1-${run}-${c.n}`, text);
        if (!first.ok) throw new Refused(`chat message: ${JSON.stringify(first)}`);
        c.acceptedAt = Date.now();
        await sleep(between(CHAT_READING_MS));
        const asked = await visitor.send(`m2-${run}-${c.n}`, ASK_FOR_PERSON[language]);
        if (!asked.ok) throw new Refused(`chat asking for a person: ${JSON.stringify(asked)}`);
        await sleep(between(CHAT_WAITING_MS));
      } finally {
        c.resent += visitor.resent;
        c.reconnects = visitor.reconnects;
        visitor.close();
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
 *
 * The list is newest first by when the citizen wrote, so a ticket committed late (its worker killed, PostgreSQL
 * restarting, a backlog) is listed at its contact's time, below tickets already seen. A second reader, beside the
 * first so that it never holds it up, asks PostgreSQL every DEEP_EVERY_MS which tickets no read has listed yet
 * (`unlisted`) and reads the page of the list where each stands, by the list's own cursor (its creation time and
 * id), at most DEEP_PAGES pages a pass; without an answer it reads down through the last LOOKBACK_MS of contacts.
 */
// Every 2 s, and by walking down from the top, it cost the API processes a third of a core at 50 contacts/s.
const DEEP_EVERY_MS = 10_000;
const DEEP_PAGES = 30;
const LOOKBACK_MS = 60_000;
/** Above every id: a cursor at a time lists the tickets created at or before it. */
const LAST_ID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';
const cursorAt = (ms: number) => Buffer.from(JSON.stringify([new Date(Math.ceil(ms) + 1).toISOString(), LAST_ID])).toString('base64url');

export class InboxWatcher {
  readonly seenAt = new Map<string, number>();
  reads = 0;
  failedReads = 0;
  deepReads = 0;
  failedDeepReads = 0;
  /** Why reads failed, and how often. */
  readonly failures = new Map<string, number>();
  private running = true;
  private token: Promise<string> | null = null;
  private readonly loops: Array<Promise<void>>;

  constructor(
    private readonly baseUrl: string,
    private readonly login: { email: string; password: string },
    everyMs: number,
    /** Creation times (ms) of the tickets in the database that no read has listed, newest first; null: unknown. */
    private readonly unlisted: (seen: ReadonlyMap<string, number>) => Promise<number[] | null> = async () => null,
  ) {
    this.loops = [this.watch(everyMs, false), this.watch(DEEP_EVERY_MS, true)];
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** One sign-in shared by both readers, made again after a 401. */
  private signIn(): Promise<string> {
    this.token ??= (async () => {
      const res = await fetch(`${this.baseUrl}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(this.login),
        signal: AbortSignal.timeout(30_000),
      });
      if (res.status >= 300) throw new Error(`login: HTTP ${res.status}`);
      return ((await res.json()) as { accessToken: string }).accessToken;
    })();
    this.token.catch(() => (this.token = null));
    return this.token;
  }

  private async watch(everyMs: number, deep: boolean): Promise<void> {
    while (this.running && !stopping) {
      const began = Date.now();
      try {
        if (!deep) await this.readDown(null, (page) => page.fresh === 0, 20);
        else {
          const targets = await this.unlisted(this.seenAt).catch(() => null);
          if (targets === null) await this.readDown(null, (page) => page.oldest < began - LOOKBACK_MS, 80);
          else {
            // Each page covers its 100 tickets; the next read starts at the next target below it.
            let covered = Infinity;
            let pages = 0;
            for (const at of targets) {
              if (at >= covered || pages >= DEEP_PAGES) continue;
              pages += 1;
              covered = await this.readDown(cursorAt(at), () => true, 1);
            }
          }
        }
        if (deep) this.deepReads += 1;
        else this.reads += 1;
      } catch (error) {
        if (deep) this.failedDeepReads += 1;
        else this.failedReads += 1;
        const why = error instanceof Error ? error.message : String(error);
        this.failures.set(why, (this.failures.get(why) ?? 0) + 1);
      }
      await sleep(Math.max(0, everyMs - (Date.now() - began)));
    }
  }

  /** Pages of the list from `cursor` (the top when null) until `enough` says so; the oldest creation time read. */
  private async readDown(
    cursor: string | null,
    enough: (page: { fresh: number; oldest: number }) => boolean,
    maxPages: number,
  ): Promise<number> {
    const token = await this.signIn();
    let oldest = Infinity;
    for (let page = 0; page < maxPages; page++) {
      const url = `${this.baseUrl}/v1/tickets?limit=100&snoozed=include${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
      if (res.status === 401) this.token = null;
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      const body = (await res.json()) as { items: Array<{ id: string; createdAt: string }>; nextCursor: string | null };
      const at = Date.now();
      let fresh = 0;
      for (const t of body.items) {
        if (this.seenAt.has(t.id)) continue;
        this.seenAt.set(t.id, at);
        fresh += 1;
      }
      cursor = body.nextCursor;
      if (body.items.length > 0) oldest = Date.parse(body.items[body.items.length - 1].createdAt);
      if (!cursor || enough({ fresh, oldest })) break;
    }
    return oldest;
  }
}
