import { INestApplication } from '@nestjs/common';
import { simpleParser } from 'mailparser';
import request from 'supertest';
import { inParallel } from './support/fault-clients';
import { FaultProxy } from '../bench/support/servers/fault-proxy';
import { ImapCutter } from './support/mail-faults';
import { appendMessage, listMessages, MAIL_PASSWORD, mailServers, uniqueMailbox } from './support/mail-servers';
import { eventually, login, MONITORING, TestEnv } from './support/test-env';

/** MAIL_FAULTS_LONG=1 (or FAULTS_LONG=1) puts more mail through the faults; the short variant always runs. */
const LONG = Boolean(process.env.MAIL_FAULTS_LONG || process.env.FAULTS_LONG);
const MAILS = LONG ? 200 : 30;
const LATE = LONG ? 50 : 10;
const REPLIES = LONG ? 40 : 8;
/** How long the service may take to ingest the mail through the drops, on a loaded machine. */
const INGEST_MS = LONG ? 300_000 : 60_000;

/** A plain customer mail of about 3 kB, so that a chunk's FETCH answer spans many TCP segments. */
function customerMail(from: string, to: string, messageId: string, n: number): string {
  return [
    `From: Klients ${n} <${from}>`,
    `To: ${to}`,
    `Subject: Jautājums par pabalstu ${n}`,
    `Message-ID: <${messageId}>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    `Labdien! Lūdzu, pastāstiet, kā pieteikties pabalstam (${n}).`,
    ...Array.from({ length: 40 }, (_, i) => `Rinda ${i}: vēl daži vārdi par manu situāciju, lai vēstule nebūtu pārāk īsa.`),
    '',
  ].join('\r\n');
}

/**
 * The real Dovecot and OpenSMTPD of scripts/mail-servers.sh, each behind a proxy of this file's own (nothing else
 * is disturbed): the IMAP proxy drops the service's connection in the middle of FETCH answers and as it flags
 * what it took; the SMTP proxy answers 421 to every connection until the test lets it through. Every mail must
 * become exactly one ticket, every acknowledgement and reply reach the customer exactly once after SMTP is back,
 * the failures show in the metrics, and the service must recover without being restarted.
 */
describe('faults: the IMAP server drops connections and the SMTP server answers 421 for a while', () => {
  const env = new TestEnv();
  let app: INestApplication;
  let imap: ImapCutter;
  let smtp: FaultProxy;
  const centre = uniqueMailbox('centre');
  const customers = Array.from({ length: MAILS + LATE }, (_, i) => uniqueMailbox(`klients${i}`));
  const messageIds = customers.map((_, i) => `fault-${Date.now()}-${i}@customer.test`);
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    const servers = await mailServers();
    imap = await ImapCutter.start(servers.imap, { midFetch: 2, atStore: 1, afterBytes: 6000 });
    smtp = await FaultProxy.start(servers.smtp.port, servers.smtp.host);
    // As a server does when overloaded or shutting down: every new session is greeted with 421 and closed.
    smtp.answer('421 4.3.2 Service not available, closing transmission channel');
    // The mail is there before the service first looks, so its first FETCH is a whole chunk.
    for (let i = 0; i < MAILS; i++) await appendMessage(centre, customerMail(customers[i], centre, messageIds[i], i));
    app = await env.startApi({
      APP_ROLE: 'all',
      IMAP_HOST: '127.0.0.1',
      IMAP_PORT: String(imap.port),
      IMAP_TLS: 'false',
      IMAP_USER: centre,
      IMAP_PASSWORD: MAIL_PASSWORD,
      IMAP_POLL_INTERVAL_MS: '1000',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_TLS: 'false',
      MAIL_FROM: `VPPPD <${centre}>`,
    });
  }, 10 * 60_000);
  afterAll(async () => {
    await env.teardown();
    await imap?.close();
    await smtp?.close();
  });

  const ticketsPerMail = async (ids: string[]) =>
    env.sql<{ external_id: string; tickets: number; messages: number; reference: string }>(
      `SELECT m.external_id, count(DISTINCT m.ticket_id)::int AS tickets, count(*)::int AS messages, min(t.reference) AS reference
       FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.channel = 'email' AND m.direction = 'inbound' AND m.external_id = ANY($1)
       GROUP BY m.external_id`,
      [ids],
    );

  it(
    'loses and doubles nothing, sends each acknowledgement and reply once after SMTP is back, and recovers by itself',
    async () => {
      // The first mails arrive through two sessions cut mid-FETCH and one cut as it flags them.
      await eventually(async () => (await ticketsPerMail(messageIds.slice(0, MAILS))).length === MAILS || null, {
        timeoutMs: INGEST_MS,
        everyMs: 250,
      });
      expect(imap.cuts).toEqual(['mid-fetch', 'mid-fetch', 'at-store']);

      // More mail while SMTP still refuses: the watcher, reconnected, takes it by IDLE.
      for (let i = MAILS; i < MAILS + LATE; i++) await appendMessage(centre, customerMail(customers[i], centre, messageIds[i], i));
      const rows = await eventually(
        async () => {
          const found = await ticketsPerMail(messageIds);
          return found.length === MAILS + LATE ? found : null;
        },
        { timeoutMs: INGEST_MS, everyMs: 250 },
      );

      // Operators answer some of them while SMTP is still refusing.
      const token = await login(app);
      const byId = new Map(rows.map((r) => [r.external_id, r.reference]));
      const replies = Array.from({ length: REPLIES }, (_, i) => ({
        customer: customers[i],
        reference: byId.get(messageIds[i])!,
        text: `Atbilde klientam ${i}: pieteikumu var iesniegt portālā.`,
      }));
      for (const [i, r] of replies.entries()) {
        await http()
          .post(`/v1/tickets/${r.reference}/replies`)
          .set('Authorization', `Bearer ${token}`)
          .set('Idempotency-Key', `mail-fault-reply-${i}`)
          .send({ text: r.text, force: true })
          .expect(202);
      }
      // Every reply has met the 421 at least once before SMTP comes back.
      await eventually(
        async () =>
          (
            await env.sql(
              `SELECT count(*)::int AS n FROM messages WHERE direction = 'outbound' AND text = ANY($1) AND delivery_error IS NOT NULL`,
              [replies.map((r) => r.text)],
            )
          )[0].n === REPLIES || null,
        { timeoutMs: 30_000, everyMs: 250 },
      );
      const [{ sent: sentDuringOutage }] = await env.sql(
        `SELECT count(*)::int AS sent FROM messages WHERE direction = 'outbound' AND delivery_status = 'sent'`,
      );
      expect(sentDuringOutage).toBe(0);
      expect(smtp.faulted).toBeGreaterThan(0);
      smtp.restore();

      // Each customer gets one acknowledgement, and the answered ones one reply, through the real OpenSMTPD.
      const replyFor = new Map(replies.map((r) => [r.customer, r.text]));
      const expected = (customer: string) => (replyFor.has(customer) ? 2 : 1);
      // A few IMAP sessions at a time: hundreds at once would meet Dovecot's own limits.
      const inboxes = () =>
        inParallel(
          4,
          customers.map((c) => async () => ({ c, mail: await listMessages(c) })),
        );
      await eventually(
        async () => (await inboxes().catch(() => null))?.every(({ c, mail }) => mail.length >= expected(c)) || null,
        // A message that met the 421 five times waits 80 s for its next attempt, six times 160 s (backoff from 5 s).
        { timeoutMs: LONG ? 300_000 : 150_000, everyMs: 1000 },
      ).catch(() => undefined); // the assertions below say who is missing what
      // Retries still in flight would show as a second copy: give them time.
      await new Promise((r) => setTimeout(r, 3000));
      const delivered = await inboxes();
      expect(delivered.filter(({ c, mail }) => mail.length !== expected(c)).map(({ c, mail }) => `${c}: ${mail.length}`)).toEqual([]);
      for (const { c, mail } of delivered) {
        const parsed = await Promise.all(mail.map((m) => simpleParser(m.source)));
        expect(parsed.filter((p) => p.headers.get('auto-submitted') === 'auto-replied')).toHaveLength(1);
        if (replyFor.has(c)) expect(parsed.filter((p) => p.text?.trim() === replyFor.get(c))).toHaveLength(1);
      }
      const [{ unsent }] = await env.sql(
        `SELECT count(*)::int AS unsent FROM messages WHERE direction = 'outbound' AND channel = 'email' AND delivery_status <> 'sent'`,
      );
      expect(unsent).toBe(0);

      // One ticket per mail, one stored message per Message-ID, however often a chunk was fetched again.
      expect(rows.filter((r) => r.tickets !== 1 || r.messages !== 1)).toEqual([]);
      const [{ tickets }] = await env.sql(`SELECT count(*)::int AS tickets FROM tickets WHERE channel = 'email'`);
      expect(tickets).toBe(MAILS + LATE);

      // The failures are counted, and the mailbox is connected again without a restart.
      const metrics = (await http().get('/metrics').set(MONITORING).expect(200)).text;
      const value = (pattern: RegExp) => Number(pattern.exec(metrics)?.[1] ?? 0);
      expect(value(/^vp_email_mailbox_disconnects_total\{mailbox="default"\} (\d+)/m)).toBeGreaterThanOrEqual(3);
      expect(value(/^vp_outbound_messages_total\{channel="any",outcome="deferred"\} (\d+)/m)).toBeGreaterThanOrEqual(
        MAILS + LATE + REPLIES,
      );
      expect(value(/^vp_outbound_messages_total\{channel="email",outcome="sent"\} (\d+)/m)).toBe(MAILS + LATE + REPLIES);
      expect(value(/^vp_outbound_messages_total\{channel="any",outcome="failed"\} (\d+)/m)).toBe(0);
      const health = await http().get('/health').set(MONITORING).expect(200);
      expect(health.body.mailboxes).toEqual([expect.objectContaining({ name: 'default', state: 'connected' })]);
    },
    (LONG ? 25 : 8) * 60_000,
  );
});
