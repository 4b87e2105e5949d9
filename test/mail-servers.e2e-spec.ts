import { connect } from 'node:net';
import {
  appendMessage,
  deliverViaSmtp,
  imapClient,
  listMessages,
  MAIL_DOMAIN,
  mailServers,
  privateImapServer,
  uniqueMailbox,
  waitForMessages,
} from './support/mail-servers';

/**
 * Proves the mail test infrastructure itself (scripts/mail-servers.sh): what is sent over SMTP is readable
 * over IMAP, APPEND keeps bytes exact, IDLE notifies, and IMAP can be stopped and started again.
 * Safe to run in parallel with other test files: nothing here stops the shared servers.
 */

/** windows-1257 bytes for Latvian text, built from the platform's decoder (Node has no encoder for it). */
function windows1257(text: string): Buffer {
  const decoder = new TextDecoder('windows-1257');
  const byChar = new Map<string, number>();
  for (let byte = 0; byte < 256; byte++) byChar.set(decoder.decode(Uint8Array.of(byte)), byte);
  return Buffer.from(
    [...text].map((ch) => {
      const byte = byChar.get(ch);
      if (byte === undefined) throw new Error(`'${ch}' has no windows-1257 byte`);
      return byte;
    }),
  );
}

const LATVIAN = 'Labdien! Ķēķis, ģimene, šūpoles, žogs, ņurdēt, ļoti, ūdens, čaukstēt. Āboli un īpaši €.';

function rawMail(from: string, to: string, subject: string, messageId: string, contentType: string, body: Buffer): Buffer {
  const head = [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: <${messageId}>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    `Content-Type: ${contentType}`,
    'Content-Transfer-Encoding: 8bit',
    '',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'ascii'), body]);
}

const messageId = () => `${Date.now()}.${Math.random().toString(36).slice(2)}@sender.test`;

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('mail servers for the e2e tests (Dovecot IMAP + OpenSMTPD SMTP)', () => {
  // Installing the servers on a fresh machine (if CI did not do it first) takes longer than the default.
  beforeAll(() => mailServers(), 10 * 60_000);

  it('delivers SMTP mail, for any domain and to several recipients, into the mailboxes read over IMAP', async () => {
    const first = uniqueMailbox('smtp');
    const second = uniqueMailbox('smtp');
    const id = messageId();
    const sent = await deliverViaSmtp({
      from: 'Jānis <janis@customer.test>',
      to: [first, second],
      subject: 'Sveiki',
      text: LATVIAN,
      messageId: `<${id}>`,
    });
    expect(sent.accepted.sort()).toEqual([first, second].sort());

    for (const user of [first, second]) {
      const [message] = await waitForMessages(user, 1);
      expect(message.envelope.messageId).toBe(`<${id}>`);
      expect(message.envelope.subject).toBe('Sveiki');
      expect(message.envelope.from?.[0]).toMatchObject({ name: 'Jānis', address: 'janis@customer.test' });
      expect(message.flags).toEqual([]);
    }
    expect(first.endsWith(`@${MAIL_DOMAIN}`)).toBe(true);
  });

  it('stores an APPENDed 8-bit windows-1257 message byte for byte, in INBOX and in other folders', async () => {
    const user = uniqueMailbox('append');
    const body = Buffer.concat([windows1257(LATVIAN), Buffer.from('\r\n'), windows1257('Otrā rinda: ŠĒĻĀ.'), Buffer.from('\r\n')]);
    expect(body.some((byte) => byte >= 0x80)).toBe(true);
    const raw = rawMail('a@customer.test', user, 'Iesniegums', messageId(), 'text/plain; charset=windows-1257', body);

    const { uid } = await appendMessage(user, raw);
    await appendMessage(user, raw, 'Processed', ['\\Seen']);

    const [inbox] = await listMessages(user);
    expect(inbox.uid).toBe(uid);
    expect(inbox.source.equals(raw)).toBe(true);
    expect(new TextDecoder('windows-1257').decode(inbox.source.subarray(raw.length - body.length))).toContain(LATVIAN);
    const [processed] = await listMessages(user, 'Processed');
    expect(processed.source.equals(raw)).toBe(true);
    expect(processed.flags).toEqual(['\\Seen']);
  });

  it('passes an 8-bit raw message through SMTP with its body unchanged', async () => {
    const user = uniqueMailbox('raw');
    const id = messageId();
    const body = Buffer.concat([windows1257(LATVIAN), Buffer.from('\r\n')]);
    const raw = rawMail('b@customer.test', user, 'Raw', id, 'text/plain; charset=windows-1257', body);
    await deliverViaSmtp({ from: 'b@customer.test', to: user, raw });
    const [message] = await waitForMessages(user, 1);
    expect(message.envelope.messageId).toBe(`<${id}>`);
    // The servers add trace headers (Received, Return-Path, Delivered-To) on top; the rest is untouched.
    expect(message.source.subarray(message.source.length - raw.length).equals(raw)).toBe(true);
  });

  it('notifies an IDLE client of new mail', async () => {
    const user = uniqueMailbox('idle');
    const client = imapClient(user, { autoIdleDelay: 500 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.mailboxOpen('INBOX');
      const exists = new Promise<{ count: number }>((resolve) => client.once('exists', resolve));
      await new Promise((r) => setTimeout(r, 1000)); // let auto-IDLE begin, so the news has to come by IDLE
      await deliverViaSmtp({ from: 'c@customer.test', to: user, subject: 'Jauns', text: 'IDLE' });
      await expect(exists).resolves.toMatchObject({ count: 1 });
    } finally {
      await client.logout().catch(() => client.close());
    }
  });

  it('stops and starts IMAP: sessions are dropped, connections refused, then a new client logs in again', async () => {
    // A Dovecot of this test's own, so that the outage disturbs no other test file running in parallel.
    const server = await privateImapServer();
    try {
      const user = uniqueMailbox('restart');
      const raw = rawMail(
        'd@customer.test',
        user,
        'Pirms pārtraukuma',
        messageId(),
        'text/plain; charset=utf-8',
        Buffer.from('Sveiki!\r\n'),
      );
      await server.appendMessage(user, raw);
      const session = server.client(user);
      session.on('error', () => undefined);
      const dropped = new Promise<void>((resolve) => session.once('close', () => resolve()));
      await session.connect();
      await session.mailboxOpen('INBOX');

      await server.stop();
      await dropped;
      expect(await canConnect(server.imap.port)).toBe(false);

      await server.start();
      const [kept] = await server.listMessages(user);
      expect(kept.source.equals(raw)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('refuses a wrong password', async () => {
    const user = uniqueMailbox('auth');
    const client = imapClient(user, { auth: { user, pass: 'wrong' } });
    client.on('error', () => undefined);
    await expect(client.connect()).rejects.toMatchObject({ authenticationFailed: true });
    client.close();
  });
});
