import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ImapFlow, type FetchMessageObject, type ImapFlowOptions, type MessageEnvelopeObject } from 'imapflow';
import nodemailer, { type SendMailOptions } from 'nodemailer';

/**
 * Real mail servers for the e-mail channel's e2e tests, run by scripts/mail-servers.sh on 127.0.0.1:
 * Dovecot (IMAP, and LMTP for delivery) and OpenSMTPD (SMTP for any address, delivered into Dovecot).
 *
 * Every user name is a mailbox and logs in with MAIL_PASSWORD, so a test isolates itself by using fresh
 * addresses from uniqueMailbox(); nothing needs cleaning up. The IMAP user name is the full address.
 * Dovecot lowercases user names, and LMTP delivers "a+tag@d" into "a@d" (as real providers do).
 *
 * The servers are shared by every test file of a run, and stay up afterwards (the next run reuses them).
 */

export const MAIL_PASSWORD = 'secret'; // the static passdb in scripts/mail-servers.sh
export const MAIL_DOMAIN = 'vpppd.test';
const HOST = '127.0.0.1';
const SCRIPT = resolve(__dirname, '../../scripts/mail-servers.sh');
/** Fixed, so that every jest worker and every test file shares one set of servers. */
const DIR = join(tmpdir(), 'vpppd-mail-test');

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name}=${raw} is not a port number`);
  return port;
}

const IMAP_PORT = portFromEnv('TEST_IMAP_PORT', 1143);
const SMTP_PORT = portFromEnv('TEST_SMTP_PORT', 2525);
const LMTP_PORT = portFromEnv('TEST_LMTP_PORT', 2424);

export interface Endpoint {
  host: string;
  port: number;
}

export interface MailServers {
  imap: Endpoint;
  smtp: Endpoint;
  /** Configurations, logs (dovecot.log, smtpd.log) and the maildirs: look here when a test fails. */
  dir: string;
}

const SERVERS: MailServers = { imap: { host: HOST, port: IMAP_PORT }, smtp: { host: HOST, port: SMTP_PORT }, dir: DIR };

/**
 * Runs a subcommand of scripts/mail-servers.sh. Output is captured (the script redirects the servers' own
 * stdio, so the pipes close when the script exits) and bounded by a timeout; it is shown only on failure.
 */
function runScript(args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      'bash',
      [SCRIPT, ...args],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolvePromise();
        const output = `${stdout}${stderr}`.trim();
        const why = error.killed ? `did not finish in ${timeoutMs} ms` : `failed (exit ${error.code ?? error.signal})`;
        reject(new Error(`bash scripts/mail-servers.sh ${args.join(' ')} ${why}${output ? `:\n${output}` : ''}`));
      },
    );
  });
}

let ready: Promise<MailServers> | null = null;

/**
 * Makes sure the servers run, installing them first if needed (root and apt-get), and says where they are.
 * Cheap after the first call: jest gives each test file a fresh copy of this module, so each file asks the
 * script once, and the script answers in a few tens of milliseconds when the servers already run (it
 * serialises concurrent callers with a lock). Installing takes longer than jest's default hook timeout:
 * CI installs beforehand, and a test calling this first in beforeAll should allow a few minutes.
 */
export function mailServers(): Promise<MailServers> {
  ready ??= runScript(['ensure', DIR, String(IMAP_PORT), String(SMTP_PORT), String(LMTP_PORT)], 10 * 60_000).then(
    () => SERVERS,
    (error: unknown) => {
      ready = null; // let a later call try again
      throw error;
    },
  );
  return ready;
}

/**
 * Stops the shared Dovecot (IMAP and LMTP), for reconnect tests. SMTP stays up and queues what arrives
 * meanwhile. This is an outage for EVERY test file running at the time: with several jest workers, a test
 * that stops IMAP should use privateImapServer() instead. (The helpers below ride out such an outage by
 * retrying their connection for a while.)
 */
export async function stopImap(): Promise<void> {
  await mailServers();
  await runScript(['stop-imap', DIR], 60_000);
}

/** Starts the shared Dovecot again; mail queued by SMTP in the meantime is delivered right after. */
export async function startImap(): Promise<void> {
  await runScript(['start-imap', DIR], 60_000);
}

/**
 * A fresh address, and so a fresh empty mailbox, e.g. `u-m3k9x2a1b2c3d4@vpppd.test`. Lowercase and limited to
 * the characters Dovecot accepts in user names, so the address is exactly the IMAP user name.
 */
export function uniqueMailbox(prefix = 'u'): string {
  const local = prefix.toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
  return `${local}-${Date.now().toString(36)}${randomBytes(4).toString('hex')}@${MAIL_DOMAIN}`;
}

// --- IMAP ------------------------------------------------------------------------------------------

/** An unconnected imapflow client for `user` on the shared server; options override the defaults (e.g. port). */
export function imapClient(user: string, options: Partial<ImapFlowOptions> = {}): ImapFlow {
  return new ImapFlow({
    host: HOST,
    port: IMAP_PORT,
    secure: false,
    doSTARTTLS: false, // the test server has no TLS at all
    auth: { user, pass: MAIL_PASSWORD },
    logger: false,
    ...options,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isAuthFailure = (error: unknown) => (error as { authenticationFailed?: boolean })?.authenticationFailed === true;

/**
 * A logged-in client. With `retryUntil`, a refused or dropped connection is retried until then: another
 * test file may have the shared server stopped for a moment. A wrong password is never retried.
 */
async function connect(imap: Endpoint, user: string, retryUntil = 0): Promise<ImapFlow> {
  for (;;) {
    const client = imapClient(user, { host: imap.host, port: imap.port });
    client.on('error', () => undefined); // a late socket error must not crash the run; callers see failures
    try {
      await client.connect();
      return client;
    } catch (error) {
      client.close();
      if (isAuthFailure(error) || Date.now() >= retryUntil) throw error;
      await sleep(200);
    }
  }
}

const SHARED_OUTAGE_MS = 20_000;

async function withImapAt<T>(imap: Endpoint, retryUntil: number, user: string, fn: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = await connect(imap, user, retryUntil);
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Runs `fn` with a logged-in client for `user` on the shared server, and logs out whatever happens. */
export async function withImap<T>(user: string, fn: (client: ImapFlow) => Promise<T>): Promise<T> {
  await mailServers();
  return withImapAt(SERVERS.imap, Date.now() + SHARED_OUTAGE_MS, user, fn);
}

async function append(client: ImapFlow, user: string, raw: Buffer | string, folder: string, flags: string[]): Promise<{ uid?: number }> {
  if (folder.toUpperCase() !== 'INBOX') await client.mailboxCreate(folder).catch(() => undefined); // exists already: fine
  const result = await client.append(folder, raw, flags);
  if (!result) throw new Error(`APPEND to ${user}/${folder} failed`);
  return { uid: result.uid };
}

/** Stores a raw RFC 822 message as is (byte for byte) in `folder` of `user`'s mailbox, creating the folder if needed. */
export async function appendMessage(user: string, raw: Buffer | string, folder = 'INBOX', flags: string[] = []): Promise<{ uid?: number }> {
  return withImap(user, (client) => append(client, user, raw, folder, flags));
}

export interface StoredMessage {
  uid: number;
  flags: string[];
  /** The message exactly as the server stores it. */
  source: Buffer;
  envelope: MessageEnvelopeObject;
  internalDate?: Date | string;
}

function toStored(message: FetchMessageObject): StoredMessage {
  return {
    uid: message.uid,
    // \Recent only says which session saw the message first: it would make assertions depend on timing.
    flags: [...(message.flags ?? [])].filter((flag) => flag !== '\\Recent'),
    source: message.source ?? Buffer.alloc(0),
    envelope: message.envelope as MessageEnvelopeObject,
    internalDate: message.internalDate,
  };
}

/** Every message in `folder`, by UID. Read-only (EXAMINE): flags such as \Seen stay as they are. */
async function fetchAll(client: ImapFlow, folder: string): Promise<StoredMessage[]> {
  const mailbox = await client.mailboxOpen(folder, { readOnly: true });
  if (mailbox.exists === 0) return [];
  const messages: StoredMessage[] = [];
  for await (const message of client.fetch('1:*', { uid: true, flags: true, envelope: true, source: true, internalDate: true })) {
    messages.push(toStored(message));
  }
  return messages.sort((a, b) => a.uid - b.uid);
}

export async function listMessages(user: string, folder = 'INBOX'): Promise<StoredMessage[]> {
  return withImap(user, (client) => fetchAll(client, folder));
}

export interface WaitOptions {
  timeoutMs?: number;
  folder?: string;
  intervalMs?: number;
}

async function waitAt(imap: Endpoint, logs: string, user: string, count: number, options: WaitOptions): Promise<StoredMessage[]> {
  const { timeoutMs = 10_000, folder = 'INBOX', intervalMs = 100 } = options;
  const deadline = Date.now() + timeoutMs;
  let client: ImapFlow | null = null;
  let found = 0;
  let lastError: unknown = null;
  try {
    for (;;) {
      try {
        client ??= await connect(imap, user);
        // STATUS reads the current count without selecting, so no stale selected-mailbox state is involved.
        const status = await client.status(folder, { messages: true }).catch(() => false as const); // no such folder yet: 0
        found = status ? (status.messages ?? 0) : 0;
        if (found >= count) return await fetchAll(client, folder);
      } catch (error) {
        // The server went away (restarted by a test): connect again on the next round.
        if (isAuthFailure(error)) throw error;
        lastError = error;
        client?.close();
        client = null;
      }
      if (Date.now() >= deadline) break;
      await sleep(intervalMs);
    }
  } finally {
    const open = client;
    await open?.logout().catch(() => open.close());
  }
  const why = lastError ? ` (last error: ${(lastError as Error).message})` : '';
  throw new Error(`waited ${timeoutMs} ms for ${count} message(s) in ${user}/${folder}, found ${found}${why}; see ${logs}`);
}

/**
 * Polls `folder` of `user` until it holds at least `count` messages, and returns them all. Fails after
 * `timeoutMs` saying how many there were and where the server logs are.
 */
export async function waitForMessages(user: string, count: number, options: WaitOptions = {}): Promise<StoredMessage[]> {
  await mailServers();
  return waitAt(SERVERS.imap, `${DIR}/smtpd.log and ${DIR}/dovecot.log`, user, count, options);
}

// --- SMTP ------------------------------------------------------------------------------------------

export type SmtpMessage = SendMailOptions & {
  from: string;
  to: string | string[];
  /** A complete RFC 822 message sent as is; from/to/cc/bcc then only make the envelope. */
  raw?: Buffer | string;
};

/**
 * Sends a message to the test SMTP server (no TLS, no authentication), as a customer's mail server would.
 * It resolves once the server has accepted the message; delivery into the mailboxes follows within
 * milliseconds, so wait for it with waitForMessages().
 */
export async function deliverViaSmtp(message: SmtpMessage): Promise<{ messageId: string; accepted: string[] }> {
  await mailServers();
  const transport = nodemailer.createTransport({ host: HOST, port: SMTP_PORT, secure: false, ignoreTLS: true });
  try {
    const recipients = [message.to, message.cc, message.bcc].flat().filter((r): r is string => typeof r === 'string');
    // A raw message is not parsed by nodemailer: the envelope has to be given.
    const options = message.raw !== undefined ? { envelope: { from: message.from, to: recipients }, ...message } : message;
    const info = await transport.sendMail(options);
    return { messageId: info.messageId, accepted: (info.accepted ?? []).map(String) }; // plain addresses over SMTP
  } finally {
    transport.close();
  }
}

// --- a private IMAP server -------------------------------------------------------------------------

export interface PrivateImapServer {
  imap: Endpoint;
  dir: string;
  /** An unconnected client for `user` on this server. */
  client(user: string, options?: Partial<ImapFlowOptions>): ImapFlow;
  appendMessage(user: string, raw: Buffer | string, folder?: string, flags?: string[]): Promise<{ uid?: number }>;
  listMessages(user: string, folder?: string): Promise<StoredMessage[]>;
  waitForMessages(user: string, count: number, options?: WaitOptions): Promise<StoredMessage[]>;
  /** Stops it: open sessions are dropped and new connections refused, as in a real outage. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and deletes its mail. */
  close(): Promise<void>;
}

/** A port nobody listens on right now (the OS picks it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolvePromise, reject) => server.once('error', reject).listen(0, HOST, resolvePromise));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * A Dovecot of its own (IMAP only, fed by APPEND; SMTP delivers into the shared one), for a test that stops
 * and starts its IMAP server: unlike stopImap(), that disturbs no other test file running at the same time.
 * Its helpers do not retry: an outage here is the test's own. Call close() when done.
 */
export async function privateImapServer(): Promise<PrivateImapServer> {
  await mailServers(); // installs the servers if needed
  const imapPort = await freePort();
  let lmtpPort = await freePort();
  while (lmtpPort === imapPort) lmtpPort = await freePort();
  const dir = join(tmpdir(), `vpppd-mail-test-imap-${imapPort}`);
  await runScript(['start', dir, String(imapPort), '0', String(lmtpPort)], 60_000);
  const imap = { host: HOST, port: imapPort };
  const withClient = <T>(user: string, fn: (client: ImapFlow) => Promise<T>) => withImapAt(imap, 0, user, fn);
  return {
    imap,
    dir,
    client: (user, options = {}) => imapClient(user, { ...options, host: HOST, port: imapPort }),
    appendMessage: (user, raw, folder = 'INBOX', flags = []) => withClient(user, (client) => append(client, user, raw, folder, flags)),
    listMessages: (user, folder = 'INBOX') => withClient(user, (client) => fetchAll(client, folder)),
    waitForMessages: (user, count, options = {}) => waitAt(imap, `${dir}/dovecot.log`, user, count, options),
    stop: () => runScript(['stop-imap', dir], 60_000),
    start: () => runScript(['start-imap', dir], 60_000),
    close: async () => {
      await runScript(['stop', dir], 60_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
