import { Logger } from '@nestjs/common';
import type { ImapFlow } from 'imapflow';
import { imapErrorText, MailboxSettings, MailboxWatcher, MailboxWatcherDeps } from './mailbox-watcher';

const SETTINGS: MailboxSettings = {
  id: 'm1',
  name: 'default',
  address: 'centre@vpppd.test',
  institutionCode: null,
  referencePrefix: 'VP',
  host: '127.0.0.1',
  port: 1143,
  tls: false,
  username: 'centre',
  password: 'secret',
  folder: 'INBOX',
  processedAction: 'flag',
  processedFolder: 'Processed',
};

/** What the watcher did, in order, across the IMAP client and its dependencies. */
type Step = string;

function fakeClient(log: Step[]): ImapFlow {
  return {
    fetch(range: string) {
      const uids = range.split(',').map(Number);
      return (async function* () {
        log.push(`fetch ${uids[0]}-${uids[uids.length - 1]}`);
        for (const uid of uids) yield { uid, source: Buffer.from(uid % 97 === 0 ? 'BAD' : `message ${uid}`) };
      })();
    },
    messageFlagsAdd: async (range: string, flags: string[]) => {
      const uids = range.split(',').map(Number);
      log.push(`flag ${flags.join(' ')} ${uids.length === 1 ? uids[0] : `${uids[0]}-${uids[uids.length - 1]} (${uids.length})`}`);
      return true;
    },
    messageMove: async () => true,
  } as unknown as ImapFlow;
}

function deps(log: Step[], options: { acceptFailsFrom?: number } = {}): MailboxWatcherDeps & { counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  return {
    counts,
    parse: async (source) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const text = source.toString();
      if (text === 'BAD') return { ok: false, error: new Error('unreadable') };
      return { ok: true, value: { channel: 'email', externalId: text, from: { identifiers: [] }, text } };
    },
    acceptMany: async (messages) => {
      const first = messages[0].externalId;
      log.push(`accept start ${first}`);
      // Long enough for the next chunk's fetch to happen meanwhile, as it does against a real server.
      await new Promise((resolve) => setTimeout(resolve, 30));
      if (options.acceptFailsFrom !== undefined && Number(first.split(' ')[1]) >= options.acceptFailsFrom) {
        log.push(`accept failed ${first}`);
        throw new Error('PostgreSQL is down');
      }
      log.push(`accept done ${first} (${messages.length})`);
      return messages.map(() => ({ duplicate: false }) as never);
    },
    loadCheckpoint: async () => ({ uidValidity: 'v1', lastUid: 0 }),
    saveCheckpoint: async (_id, _validity, lastUid) => {
      log.push(`checkpoint ${lastUid}`);
    },
    count: (outcome) => (counts[outcome] = (counts[outcome] ?? 0) + 1),
    onState: () => undefined,
    pollIntervalMs: 30_000,
  };
}

/** The private step under test: everything the sync found above the checkpoint, chunk by chunk. */
function ingest(watcher: MailboxWatcher, client: ImapFlow, uids: number[]): Promise<number> {
  return (
    watcher as unknown as { ingestPipelined: (c: ImapFlow, u: number[], v: string, last: number) => Promise<number> }
  ).ingestPipelined(client, uids, 'v1', 0);
}

const UIDS = Array.from({ length: 250 }, (_, i) => i + 1);

describe('MailboxWatcher, chunk after chunk', () => {
  // The rejected messages are logged as warnings, as they should be; the run's output need not show them.
  beforeAll(() => Logger.overrideLogger(false));
  it('fetches the next chunk while the last is accepted, and commits, checkpoints and flags the chunks in order', async () => {
    const log: Step[] = [];
    const d = deps(log);
    const watcher = new MailboxWatcher(SETTINGS, d);
    expect(await ingest(watcher, fakeClient(log), UIDS)).toBe(250);

    expect(log).toEqual([
      'fetch 1-100',
      'fetch 101-200', // while chunk 1 is parsed and accepted
      'accept start message 1',
      'accept done message 1 (99)',
      'checkpoint 100',
      'flag $VpppdRejected 97',
      'flag \\Seen 1-100 (99)',
      'fetch 201-250', // while chunk 2 is parsed and accepted
      'accept start message 101',
      'accept done message 101 (99)',
      'checkpoint 200',
      'flag $VpppdRejected 194',
      'flag \\Seen 101-200 (99)',
      'accept start message 201',
      'accept done message 201 (50)',
      'checkpoint 250',
      'flag \\Seen 201-250 (50)',
    ]);
    expect(d.counts).toEqual({ fetched: 250, rejected: 2, ingested: 248 });
  });

  it('stops at a chunk that cannot be accepted: nothing after it is checkpointed or flagged, and the error reaches the sync', async () => {
    const log: Step[] = [];
    const watcher = new MailboxWatcher(SETTINGS, deps(log, { acceptFailsFrom: 101 }));
    await expect(ingest(watcher, fakeClient(log), UIDS)).rejects.toThrow('PostgreSQL is down');

    expect(log.filter((step) => step.startsWith('checkpoint'))).toEqual(['checkpoint 100']);
    expect(log.filter((step) => step.startsWith('flag \\Seen'))).toEqual(['flag \\Seen 1-100 (99)']);
    expect(log.some((step) => step.startsWith('accept start message 201'))).toBe(false);
  });
});

describe('MailboxWatcher, a folder made again under its name', () => {
  it('selects the folder again at the periodic check, so a new UIDVALIDITY the session was not told of is seen', async () => {
    const log: Step[] = [];
    // The session still shows the folder it selected; only a new SELECT finds the one that replaced it.
    let selected = 'v1';
    const client = {
      get mailbox() {
        return { uidValidity: selected === 'v1' ? 1n : 2n };
      },
      mailboxOpen: async (folder: string) => {
        log.push(`select ${folder}`);
        selected = 'v2';
      },
      getMailboxLock: async () => ({ release: () => undefined }),
      search: async () => [],
    } as unknown as ImapFlow;
    const d = deps(log);
    d.loadCheckpoint = async () => ({ uidValidity: '1', lastUid: 3 });
    const sync = (reopen: boolean) =>
      (watcher as unknown as { sync: (c: ImapFlow, reopen: boolean) => Promise<void> }).sync(client, reopen);
    const watcher = new MailboxWatcher(SETTINGS, d);

    await sync(false); // new mail announced by IDLE: read what the session shows
    expect(log).toEqual([]);
    await sync(true); // the periodic check
    expect(log).toEqual(['select INBOX', 'checkpoint 0']);
  });

  it('ends the session when the periodic check cannot select the folder, so the reconnect loop takes over', async () => {
    const closed: boolean[] = [];
    const client = {
      mailboxOpen: async () => {
        throw Object.assign(new Error('Command failed'), { responseText: "Mailbox doesn't exist: INBOX" });
      },
      close: () => closed.push(true),
    } as unknown as ImapFlow;
    const watcher = new MailboxWatcher(SETTINGS, deps([]));
    const sync = (watcher as unknown as { sync: (c: ImapFlow, reopen: boolean) => Promise<void> }).sync.bind(watcher);
    await expect(sync(client, true)).rejects.toThrow('Command failed');
    expect(closed).toEqual([true]);
  });
});

describe('imapErrorText', () => {
  it("gives the server's reason for a refused command, else the error's message", () => {
    const refused = Object.assign(new Error('Command failed'), { responseText: "Mailbox doesn't exist: Arrivals (0.001 + 0.000 secs)." });
    expect(imapErrorText(refused)).toBe("Mailbox doesn't exist: Arrivals (0.001 + 0.000 secs).");
    expect(imapErrorText(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1143'), { responseText: ' ' }))).toBe(
      'connect ECONNREFUSED 127.0.0.1:1143',
    );
    expect(imapErrorText('down')).toBe('down');
  });
});
