/**
 * A contact centre's day against a running service, through its real public endpoints only: citizens on every
 * channel (signed as each platform signs), operators and specialists who sign in, stay online on `/agents`,
 * claim, reply, escalate and hand back through the API, and citizens who answer the satisfaction survey they are
 * sent. It keeps the references of the tickets it caused; at the end their outcomes are tallied per channel and
 * set beside the change in `/v1/reports/*` over the run.
 */
import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import { io, Socket } from 'socket.io-client';
import { CHANNEL_SHARES, DAY_MS, pick, prng, schedule, SimChannel, simulatedHour, weighted } from '@lib/simulated-day';
import { signTimestampedHmac } from '@lib/webhook-signature';
import { metaBody, metaHeaders, telegramHeaders, twilioHeaders } from '../webhook-signing';
import { ResumingChatVisitor } from './chat-visitor';
import { counterContact } from './counter-contact';
import { ASK_FOR_PERSON, ESCALATION_REASONS, HAND_BACK, LANGUAGE_SHARES, names, questionsIn, REPLIES } from './texts';
import { walkIvr } from './ivr-caller';
import { messengerWebhook, socialPlatform, telegramUpdate, whatsappWebhook } from './social-messages';
import { Figures, readReports, tally, ticketChannel } from './tally';

export interface Target {
  baseUrl: string;
  adminEmail: string;
  adminPassword: string;
  webformSecret?: string;
  /** The URL Twilio calls (requests are signed over it) and the account's auth token. */
  twilio?: { accountSid: string; authToken: string; publicBaseUrl: string };
  metaAppSecret?: string;
  telegramSecret?: string;
  /** SMTP that delivers into a mailbox the service reads, and that mailbox's address. */
  smtp?: { host: string; port: number; mailbox: string };
}

export interface NewAgent {
  email: string;
  displayName: string;
  password: string;
  role: 'operator' | 'specialist';
  institutions: string[];
  languages: string[];
}

export interface SimulationOptions {
  /** Wall time of the simulated day (08:00–20:00): the day runs DAY_MS / runMs times faster than real time. */
  runMs: number;
  seed: number;
  /** Contacts per second of wall time at the busiest hour. */
  peakRate: number;
  operators: number;
  /** Specialists online, the institutions shared out among them (default: one per institution). */
  specialists?: number;
  /** Names this run's staff accounts and e-mail senders; random by default. */
  run?: string;
  /** How the staff accounts are made; by default through POST /v1/admin/agents as the admin. */
  createAgent?: (agent: NewAgent) => Promise<void>;
  /** How long to wait for the last contacts to be worked before comparing. */
  drainMs: number;
  progress?: (done: number, total: number, note: string) => void;
}

export interface SimulationResult {
  sent: Record<string, number>;
  enabled: SimChannel[];
  ours: Record<string, Figures>;
  reports: Record<string, Figures>;
  references: number;
  unresolvedContacts: number;
  errors: string[];
}

interface Contact {
  n: number;
  channel: SimChannel;
  reference?: string;
  /** What finds the ticket with GET /v1/tickets?q=: a phone, an e-mail address or a marker word in the text. */
  lookup?: string;
}

interface TicketState {
  random: () => number;
  escalate: boolean;
  escalated: boolean;
  handedBack: boolean;
  resolved: boolean;
  surveyed: boolean;
  /** Reads of the resolved ticket without a survey link in it: a channel whose survey is no link is given up on. */
  looks: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rigaMonth = () =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Riga', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);

export async function simulate(target: Target, options: SimulationOptions): Promise<SimulationResult> {
  /**
   * One seeded stream per thing that decides (the day's schedule, each contact, each ticket's fate): staff and
   * citizens act concurrently, and one shared stream would hand out its numbers in whatever order they happen to
   * ask, so the same seed would not give the same day.
   */
  const stream = (...keys: Array<string | number>) => prng(fnv1a(`${options.seed}:${keys.join(':')}`));
  const day = stream('day');
  const run = options.run ?? randomBytes(4).toString('hex');
  /**
   * A citizen's or an agent's own pace (how long a visitor waits for an operator) in simulated time, compressed
   * like the day; never below what the service itself needs to answer at all, so a fast day still gets worked.
   */
  const speed = DAY_MS / options.runMs;
  const humanMs = (simulatedMs: number, floorMs: number) => Math.max(floorMs, simulatedMs / speed);
  const errors: string[] = [];
  const fail = (what: string, e: unknown) => {
    if (errors.length < 20) errors.push(`${what}: ${(e as Error).message ?? e}`);
  };

  async function api(
    method: string,
    path: string,
    token: string | null,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<any> {
    const res = await fetch(`${target.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    const parsed = text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text;
    if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return parsed;
  }
  const login = async (email: string, password: string) =>
    (await api('POST', '/v1/auth/login', null, { email, password })).accessToken as string;

  // --- staff --------------------------------------------------------------------------------------------
  const admin = await login(target.adminEmail, target.adminPassword);
  const password = `sim-${randomBytes(12).toString('hex')}`;
  const institutions = [...new Set(['lv', 'ru', 'en'].flatMap((l) => questionsIn(l as 'lv').map((q) => q.institution)))].sort();
  const createAgent =
    options.createAgent ??
    (async (a: NewAgent) =>
      void (await api('POST', '/v1/admin/agents', admin, {
        email: a.email,
        displayName: a.displayName,
        password: a.password,
        roles: [a.role],
        institutions: a.institutions,
        languages: a.languages,
        centre: 'VPPPD',
      })));
  const agents: NewAgent[] = [];
  const languages = ['lv', 'ru', 'en'];
  for (let i = 1; i <= options.operators; i++) {
    agents.push({
      email: `sim-${run}-operator-${i}@vpppd.example`,
      displayName: `Operators ${i}`,
      password,
      role: 'operator',
      institutions: [],
      languages,
    });
  }
  const specialists = Math.min(institutions.length, Math.max(1, options.specialists ?? institutions.length));
  for (let i = 0; i < specialists; i++) {
    const mine = institutions.filter((_, k) => k % specialists === i);
    agents.push({
      email: `sim-${run}-specialist-${i + 1}@vpppd.example`,
      displayName: `${mine.join(', ')} speciālists`,
      password,
      role: 'specialist',
      institutions: mine,
      languages,
    });
  }
  // Made and signed in side by side: each password is hashed and checked on the service, which takes a while.
  const staff: Array<{ token: string; role: 'operator' | 'specialist'; socket?: Socket }> = await Promise.all(
    agents.map(async (a) => {
      await createAgent(a);
      return { token: await login(a.email, a.password), role: a.role };
    }),
  );
  // Online on /agents as the console holds it, so routing offers them work and presence counts their time.
  await Promise.all(
    staff.map(async (member) => {
      const socket = io(`${target.baseUrl}/agents`, {
        transports: ['websocket'],
        auth: { token: member.token, state: 'online' },
        forceNew: true,
        reconnection: true,
      });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('/agents: no ready event within 10 s')), 10_000);
        socket.once('ready', () => (clearTimeout(timer), resolve()));
        socket.once('connect_error', (e) => (clearTimeout(timer), reject(e)));
      });
      member.socket = socket;
    }),
  );
  const heartbeat = setInterval(() => staff.forEach((s) => s.socket?.emit('heartbeat', {})), 10_000);

  const month = rigaMonth();
  const before = await readReports(api, admin, month);

  // --- citizens -----------------------------------------------------------------------------------------
  const enabled = (Object.keys(CHANNEL_SHARES) as SimChannel[]).filter((ch) => {
    if (ch === 'phone') return !!target.twilio;
    if (ch === 'email') return !!target.smtp;
    if (ch === 'webform') return !!target.webformSecret;
    if (ch === 'social') return !!(target.metaAppSecret || target.telegramSecret);
    return true;
  });
  const shares = Object.fromEntries(enabled.map((ch) => [ch, CHANNEL_SHARES[ch]])) as Record<SimChannel, number>;
  const contacts: Contact[] = [];
  const byReference = new Map<string, TicketState>();
  const sent: Record<string, number> = {};
  const phoneBase = 20_000_000 + Math.floor(day() * 7_000_000);
  const mail = target.smtp
    ? nodemailer.createTransport({ host: target.smtp.host, port: target.smtp.port, secure: false, ignoreTLS: true })
    : null;
  const known = (reference: string, n: number) => {
    if (byReference.has(reference)) return;
    const random = stream('ticket', n);
    byReference.set(reference, {
      random,
      escalate: random() < 0.2,
      escalated: false,
      handedBack: false,
      resolved: false,
      surveyed: false,
      looks: 0,
    });
  };

  async function contact(c: Contact): Promise<void> {
    const random = stream('contact', c.n);
    const language = weighted(random, LANGUAGE_SHARES);
    const q = pick(random, questionsIn(language));
    const [firstName, lastName] = pick(random, names);
    const phone = `+371${phoneBase + c.n}`;
    // One word, found by the inbox search as itself: every marker has the same shape and ends in digits, so no
    // stemmer's suffix rule makes two of them one term (x1 and x1s would both be x1).
    const marker = `sim${run.replace(/[^a-z0-9]/gi, '')}x${String(c.n).padStart(7, '0')}`;
    const text = `${q.text}\n${firstName} (${marker})`;
    switch (c.channel) {
      case 'phone': {
        const { authToken, publicBaseUrl } = target.twilio!;
        const callSid = `CA${randomBytes(16).toString('hex')}`;
        const params = (extra: Record<string, string>) => ({
          AccountSid: target.twilio!.accountSid,
          CallSid: callSid,
          From: phone,
          To: '+37167000000',
          Direction: 'inbound',
          ...extra,
        });
        const post = async (url: string, p: Record<string, string>) => {
          const res = await fetch(`${target.baseUrl}${url.slice(publicBaseUrl.length)}`, {
            method: 'POST',
            headers: twilioHeaders(authToken, url, p),
            body: new URLSearchParams(p).toString(),
            signal: AbortSignal.timeout(30_000),
          });
          const body = await res.text();
          if (res.status >= 300) throw new Error(`${url}: HTTP ${res.status} ${body.slice(0, 200)}`);
          return body;
        };
        await walkIvr(post, publicBaseUrl, params, random);
        c.lookup = phone;
        return;
      }
      case 'webform': {
        const raw = JSON.stringify({
          submissionId: `LV-SIM-${run}-${c.n}`,
          submittedAt: new Date().toISOString(),
          form: q.kind === 'application' ? 'application' : q.kind === 'complaint' ? 'complaint' : 'question',
          institution: q.institution,
          topic: q.topic,
          language,
          applicant: { firstName, lastName, email: `sim.${run}.${c.n}@iedzivotajs.example`, phone },
          subject: q.subject,
          message: text,
        });
        const res = await api('POST', '/v1/channels/webform/submissions', null, raw, {
          'x-signature': signTimestampedHmac(target.webformSecret!, raw, Math.floor(Date.now() / 1000)),
        });
        c.reference = res.reference;
        return;
      }
      case 'email': {
        const from = `sim-${run}-${c.n}@iedzivotajs.example`;
        await mail!.sendMail({ from: `${firstName} ${lastName} <${from}>`, to: target.smtp!.mailbox, subject: q.subject, text });
        c.lookup = from;
        return;
      }
      case 'counter': {
        const operator = pick(
          random,
          staff.filter((s) => s.role === 'operator'),
        );
        const res = await api('POST', '/v1/contacts', operator.token, counterContact(q, language, text, { firstName, lastName }));
        c.reference = res.reference;
        return;
      }
      case 'chat':
        c.lookup = marker;
        return chat(c, random, language, text);
      case 'social':
        return social(c, random, text, firstName, phone, marker);
    }
  }

  async function chat(c: Contact, random: () => number, language: 'lv' | 'ru' | 'en', text: string): Promise<void> {
    // A loaded service answers late rather than not at all: the wait is long, and the ticket is found by its
    // marker (lookup) should the answer to the first message still not come.
    const visitor = new ResumingChatVisitor(target.baseUrl, { ackTimeoutMs: 60_000, giveUpMs: 120_000 });
    try {
      const started = await visitor.start({ language });
      if (!started.ok) throw new Error(`chat start: ${JSON.stringify(started)}`);
      const first = await visitor.send(`m1-${run}-${c.n}`, text);
      if (!first.ok) throw new Error(`chat message: ${JSON.stringify(first)}`);
      c.reference = first.reference;
      // The visitor reads the assistant's answer (half a minute to a minute and a half of the day).
      await sleep(humanMs(30_000 + random() * 60_000, 300));
      if (random() < 0.5) {
        // The assistant's answer helped: the visitor says so and leaves (resolved at level 0).
        await visitor.request('feedback', { clientMessageId: `fb-${run}-${c.n}`, helpful: true });
        await visitor.request('close');
      } else {
        await visitor.send(`m2-${run}-${c.n}`, ASK_FOR_PERSON[language]);
        // Stays for the operator for up to five minutes of the day, then leaves; the ticket stays with the operator.
        await sleep(humanMs(5 * 60_000, 1000));
      }
    } finally {
      visitor.close();
    }
  }

  let updateId = 100_000_000 + Math.floor(day() * 100_000_000);
  async function social(c: Contact, random: () => number, text: string, firstName: string, phone: string, marker: string): Promise<void> {
    const message = { id: `SIM${run}${c.n}`, text, firstName, at: Date.now() };
    const platform = socialPlatform(random, { meta: !!target.metaAppSecret, telegram: !!target.telegramSecret });
    if (platform === 'telegram') {
      const raw = JSON.stringify(telegramUpdate(message, ++updateId, 7_000_000_000 + c.n, c.n));
      await api('POST', '/v1/channels/social/telegram/webhook', null, raw, telegramHeaders(target.telegramSecret!));
    } else {
      const raw = metaBody(
        platform === 'whatsapp'
          ? whatsappWebhook(message, phone.slice(1))
          : messengerWebhook({ ...message, id: `sim_${run}_${c.n}` }, `PSID${run}${c.n}`),
      );
      await api('POST', '/v1/channels/social/meta/webhook', null, raw, metaHeaders(target.metaAppSecret!, raw));
    }
    c.lookup = marker;
  }

  // Finds the tickets of contacts that got no reference in their answer (calls, e-mails, social messages).
  async function resolveReferences(): Promise<void> {
    for (const c of contacts) {
      if (c.reference || !c.lookup) continue;
      const found = await api('GET', `/v1/tickets?channel=${ticketChannel(c.channel)}&q=${encodeURIComponent(c.lookup)}`, admin).catch(
        (e) => (fail('lookup', e), null),
      );
      const items: any[] = found?.items ?? [];
      if (items.length > 0) c.reference = items[items.length - 1].reference;
    }
    for (const c of contacts) if (c.reference) known(c.reference, c.n);
  }

  // --- staff at work -------------------------------------------------------------------------------------
  let working = true;
  async function operatorLoop(token: string): Promise<void> {
    while (working) {
      try {
        const mine: any[] = (await api('GET', '/v1/tickets?assignee=me&level=1', token)).items;
        for (const t of mine) {
          const state = byReference.get(t.reference);
          if (!state || state.resolved || ['resolved', 'closed'].includes(t.status)) continue;
          const answer = REPLIES[t.language as 'lv'] ?? REPLIES.lv;
          // A voice ticket is a call back, not a written reply: the operator notes what was said on the phone.
          if (t.channel === 'voice') await api('POST', `/v1/tickets/${t.reference}/notes`, token, { text: `Atzvanīju: ${answer}` });
          else
            await api(
              'POST',
              `/v1/tickets/${t.reference}/replies`,
              token,
              { text: answer, ...(state.handedBack || state.escalated ? { force: true } : {}) },
              { 'idempotency-key': `sim-${run}-${t.reference}-${state.handedBack ? 2 : 1}` },
            );
          if (state.escalate && !state.escalated) {
            state.escalated = true;
            await api('POST', `/v1/tickets/${t.reference}/escalations`, token, {
              toLevel: 2,
              institution: t.institution ?? 'VSAA',
              reason: pick(state.random, ESCALATION_REASONS),
              summary: 'Operators atbildēja, vajadzīga iestādes pārbaude.',
            });
          } else {
            state.resolved = true;
            await api('PATCH', `/v1/tickets/${t.reference}`, token, { status: 'resolved' });
          }
        }
        const open: any[] = (await api('GET', '/v1/tickets?assignee=none&level=1', token)).items;
        const next = open.find((t) => byReference.has(t.reference) && !['resolved', 'closed'].includes(t.status));
        if (next) await api('POST', `/v1/tickets/${next.reference}/claim`, token, {}).catch(() => undefined);
      } catch (e) {
        fail('operator', e);
      }
      await sleep(400);
    }
  }
  async function specialistLoop(token: string): Promise<void> {
    while (working) {
      try {
        for (const assignee of ['none', 'me']) {
          const items: any[] = (await api('GET', `/v1/tickets?assignee=${assignee}&level=2`, token)).items;
          for (const t of items) {
            const state = byReference.get(t.reference);
            if (!state || state.handedBack) continue;
            if (assignee === 'none') await api('POST', `/v1/tickets/${t.reference}/claim`, token, {});
            state.handedBack = true;
            await api('POST', `/v1/tickets/${t.reference}/escalations`, token, {
              toLevel: 1,
              reason: 'Atbilde no iestādes',
              summary: HAND_BACK,
            });
          }
        }
      } catch (e) {
        fail('specialist', e);
      }
      await sleep(600);
    }
  }
  // Citizens whose ticket was resolved answer the survey they were sent, where it came as a link.
  async function surveyLoop(): Promise<void> {
    while (working) {
      for (const [reference, state] of byReference) {
        if (!state.resolved || state.surveyed) continue;
        try {
          const t = await api('GET', `/v1/tickets/${reference}`, admin);
          const link = (t.messages as any[]).map((m) => /\/v1\/csat\/([A-Za-z0-9._~-]+)/.exec(m.text ?? '')?.[1]).find(Boolean);
          if (!link) {
            if (++state.looks >= 5) state.surveyed = true;
            continue;
          }
          state.surveyed = true;
          if (state.random() < 0.7)
            await api('POST', `/v1/csat/${link}`, null, {
              score: Number(weighted(state.random, { '5': 50, '4': 25, '3': 12, '2': 6, '1': 7 })),
            });
        } catch (e) {
          fail('survey', e);
        }
      }
      await sleep(700);
    }
  }

  const loops = [
    ...staff.map((s) => (s.role === 'operator' ? operatorLoop(s.token) : specialistLoop(s.token))),
    surveyLoop(),
    (async () => {
      while (working) {
        await resolveReferences();
        await sleep(1000);
      }
    })(),
  ];

  // --- the day -------------------------------------------------------------------------------------------
  const times = schedule(day, options.runMs, options.peakRate);
  const channels = times.map(() => weighted(day, shares));
  const start = Date.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < times.length; i++) {
    const wait = start + times[i] - Date.now();
    if (wait > 0) await sleep(wait);
    const c: Contact = { n: i + 1, channel: channels[i] };
    contacts.push(c);
    sent[c.channel] = (sent[c.channel] ?? 0) + 1;
    const p = contact(c)
      .catch((e) => fail(c.channel, e))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    const hour = simulatedHour(times[i], options.runMs);
    options.progress?.(
      i + 1,
      times.length,
      `${String(Math.floor(hour)).padStart(2, '0')}:${String(Math.floor((hour % 1) * 60)).padStart(2, '0')} ${c.channel}`,
    );
  }
  await Promise.all(inFlight);

  // --- drain: every contact a ticket, every ticket a person took settled ----------------------------------
  const drainUntil = Date.now() + options.drainMs;
  while (Date.now() < drainUntil) {
    await resolveReferences();
    const pending = contacts.filter((c) => !c.reference).length;
    let open = 0;
    for (const reference of byReference.keys()) {
      const t = await api('GET', `/v1/tickets/${reference}`, admin).catch(() => null);
      if (t && t.level > 0 && !['resolved', 'closed'].includes(t.status)) open += 1;
    }
    const unsurveyed = [...byReference.values()].filter((s) => s.resolved && !s.surveyed).length;
    options.progress?.(
      times.length,
      times.length,
      `draining: ${pending} contacts without a ticket, ${open} tickets open with staff, ${unsurveyed} surveys pending`,
    );
    if (pending === 0 && open === 0 && unsurveyed === 0) break;
    await sleep(1000);
  }
  working = false;
  await Promise.all(loops);
  clearInterval(heartbeat);

  const references = [...byReference.keys()];
  const ours = await tally(api, admin, references);
  // The reports are read until they show the same as the tickets or the drain time is up: the last survey or
  // SLA clock event may still be on its way through the queues.
  let reports: Record<string, Figures> = {};
  const settleUntil = Date.now() + Math.max(5000, options.drainMs / 4);
  do {
    reports = subtract(await readReports(api, admin, month), before);
    if (JSON.stringify(normalise(reports)) === JSON.stringify(normalise(ours))) break;
    await sleep(1000);
  } while (Date.now() < settleUntil);

  for (const s of staff) s.socket?.disconnect();
  mail?.close();
  return {
    sent,
    enabled,
    ours,
    reports,
    references: references.length,
    unresolvedContacts: contacts.filter((c) => !c.reference).length,
    errors,
  };
}

function subtract(after: Record<string, Figures>, before: Record<string, Figures>): Record<string, Figures> {
  const out: Record<string, Figures> = {};
  for (const channel of Object.keys(after)) {
    const b = before[channel];
    out[channel] = Object.fromEntries(
      Object.entries(after[channel]).map(([k, v]) => [k, v === null ? null : v - (b?.[k as keyof Figures] ?? 0)]),
    ) as unknown as Figures;
  }
  return out;
}

/** Channels with nothing in them left out, so a zero row on one side equals a missing row on the other. */
export function normalise(figures: Record<string, Figures>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const channel of Object.keys(figures).sort()) {
    const compared = Object.fromEntries(Object.entries(figures[channel]).sort(([a], [b]) => a.localeCompare(b)));
    if (Object.values(compared).some((v) => v !== 0)) out[channel] = compared;
  }
  return out;
}

/** FNV-1a of a string: turns the seed and a name into a stream's own seed. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
