import { classifyAutomated, isSystemAddress, parseEmail } from '@lib/mime';
import { rawEmail } from './testing/raw-email';

/** A citizen's ordinary mail, with the given headers added or replacing From. */
async function classify(...headers: string[]) {
  const from = headers.some((h) => /^from:/i.test(h)) ? [] : ['From: "Jānis Bērziņš" <janis@example.lv>'];
  const raw = rawEmail([...from, 'To: info@vpppd.gov.lv', 'Subject: Pabalsts', 'Message-ID: <a@example.lv>', ...headers], 'Labdien!\n');
  return classifyAutomated(await parseEmail(raw));
}

describe('classifyAutomated', () => {
  it("finds nothing automated in a person's mail", async () => {
    expect(await classify('Return-Path: <janis@example.lv>')).toEqual({
      automated: false,
      kind: 'none',
      reason: 'no sign of an automated sender',
    });
  });

  describe('Auto-Submitted (RFC 3834)', () => {
    it.each([
      ['Auto-Submitted: auto-replied', 'auto-reply'],
      ['Auto-Submitted: Auto-Replied (vacation)', 'auto-reply'],
      ['Auto-Submitted: auto-generated', 'system-sender'],
      ['Auto-Submitted: auto-notified; owner-email="x@example.lv"', 'system-sender'],
      ['Auto-Submitted: auto-something-new', 'system-sender'],
    ])('%s → %s', async (header, kind) => {
      expect(await classify(header)).toEqual({ automated: true, kind, reason: header });
    });

    it.each(['Auto-Submitted: no', 'Auto-Submitted: No (a person wrote this)', 'Auto-Submitted: '])('%j is a person', async (header) => {
      expect((await classify(header)).automated).toBe(false);
    });
  });

  describe('autoresponder headers', () => {
    it.each([
      ['X-Autoreply: yes', 'X-Autoreply header'],
      ['X-Autoreply: ', 'X-Autoreply header'],
      ['X-Autorespond: Prombūtnē', 'X-Autorespond header'],
    ])('%j', async (header, reason) => {
      expect(await classify(header)).toEqual({ automated: true, kind: 'auto-reply', reason });
    });

    it.each(['All', 'OOF', 'AutoReply', 'DR, OOF, AutoReply', 'dr,nrn,oof', 'ALL'])('X-Auto-Response-Suppress: %s', async (value) => {
      expect(await classify(`X-Auto-Response-Suppress: ${value}`)).toEqual({
        automated: true,
        kind: 'auto-reply',
        reason: `X-Auto-Response-Suppress: ${value}`,
      });
    });

    it.each(['DR', 'NDR, RN, NRN', 'None', 'AllFoo'])('X-Auto-Response-Suppress: %s is not a reason alone', async (value) => {
      expect((await classify(`X-Auto-Response-Suppress: ${value}`)).automated).toBe(false);
    });
  });

  describe('bulk and lists', () => {
    it.each([
      ['Precedence: bulk', 'bulk'],
      ['Precedence: junk', 'bulk'],
      ['Precedence: BULK', 'bulk'],
      ['Precedence: list', 'list'],
    ])('%s → %s', async (header, kind) => {
      expect(await classify(header)).toEqual({ automated: true, kind, reason: header });
    });

    it.each(['Precedence: first-class', 'Precedence: normal'])('%j is not bulk', async (header) => {
      expect((await classify(header)).automated).toBe(false);
    });

    it('List-Id', async () => {
      expect(await classify('List-Id: "VID jaunumi" <jaunumi.vid.gov.lv>')).toEqual({
        automated: true,
        kind: 'list',
        reason: 'List-Id: "VID jaunumi" <jaunumi.vid.gov.lv>',
      });
    });

    it('List-Unsubscribe', async () => {
      expect(await classify('List-Unsubscribe: <https://example.lv/u?id=1>, <mailto:u@example.lv>')).toEqual({
        automated: true,
        kind: 'list',
        reason: 'List-Unsubscribe header',
      });
    });
  });

  describe('system senders', () => {
    it.each([
      'MAILER-DAEMON@mx.example.lv',
      'mailer-daemon@googlemail.com',
      'Postmaster@example.lv',
      'noreply@latvija.lv',
      'no-reply@vid.gov.lv',
      'No_Reply@example.lv',
      'no.reply@example.lv',
      'do-not-reply@example.lv',
      'donotreply@example.lv',
      'Do_Not_Reply@example.lv',
      'noreply+bounces@example.lv',
      'noreply-lvportals@example.lv',
    ])('From: %s', async (address) => {
      expect(await classify(`From: ${address}`)).toEqual({
        automated: true,
        kind: 'system-sender',
        reason: `From: ${address.toLowerCase()}`,
      });
    });

    it('Return-Path of a system mailbox', async () => {
      expect(await classify('Return-Path: <MAILER-DAEMON@mx.example.lv>')).toEqual({
        automated: true,
        kind: 'system-sender',
        reason: 'Return-Path: mailer-daemon@mx.example.lv',
      });
    });

    it('the null sender "<>"', async () => {
      expect(await classify('Return-Path: <>')).toEqual({
        automated: true,
        kind: 'system-sender',
        reason: 'Return-Path: <> (null sender)',
      });
    });

    it.each([
      'norena@example.lv',
      'reply@example.lv',
      'info@example.lv',
      'postmaster.janis@example.lv',
      'janis.noreply@example.lv',
      'daemon@example.lv',
    ])('From: %s is a person', async (address) => {
      expect((await classify(`From: ${address}`)).automated).toBe(false);
    });
  });

  describe('which rule decides', () => {
    it('a delivery report wins over everything else', async () => {
      const raw = rawEmail(
        [
          'From: MAILER-DAEMON@mx.example.lv',
          'Subject: Undelivered',
          'Auto-Submitted: auto-replied',
          'Return-Path: <>',
          'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
        ],
        '--B\nContent-Type: text/plain\n\nx\n--B\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; a@example.com\nAction: failed\n--B--\n',
      );
      expect(classifyAutomated(await parseEmail(raw))).toEqual({
        automated: true,
        kind: 'delivery-report',
        reason: 'Content-Type: multipart/report; report-type=delivery-status',
      });
    });

    it('an autoresponder marker wins over list headers: an out-of-office reply from a list member is still one', async () => {
      expect((await classify('Precedence: list', 'List-Id: <x.example.lv>', 'Auto-Submitted: auto-replied')).kind).toBe('auto-reply');
    });

    it('bulk wins over a system sender', async () => {
      expect(await classify('From: noreply@example.lv', 'Precedence: bulk')).toEqual({
        automated: true,
        kind: 'bulk',
        reason: 'Precedence: bulk',
      });
    });

    it("the list wins over Exchange's suppression header", async () => {
      expect((await classify('X-Auto-Response-Suppress: All', 'List-Unsubscribe: <mailto:u@example.lv>')).kind).toBe('list');
    });

    it('Auto-Submitted: no does not hide a system sender', async () => {
      expect(await classify('Auto-Submitted: no', 'From: no-reply@example.lv')).toEqual({
        automated: true,
        kind: 'system-sender',
        reason: 'From: no-reply@example.lv',
      });
    });
  });

  it('a report without report-type that still carries a delivery-status part is a delivery report', async () => {
    const raw = rawEmail(
      ['From: mail@example.lv', 'Subject: x', 'Content-Type: multipart/mixed; boundary="B"'],
      '--B\nContent-Type: text/plain\n\nx\n--B\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; a@example.com\nAction: failed\n--B--\n',
    );
    expect(classifyAutomated(await parseEmail(raw))).toEqual({
      automated: true,
      kind: 'delivery-report',
      reason: 'message/delivery-status part',
    });
  });
});

describe('isSystemAddress', () => {
  it.each([
    ['MAILER-DAEMON', true],
    ['mailer_daemon@x.lv', true],
    ['post.master@x.lv', true],
    ['NoReply@x.lv', true],
    ['no reply@x.lv', true],
    ['', false],
    ['@x.lv', false],
    ['noreplies-are-welcome@x.lv', false],
    ['janis@noreply.example.lv', false],
  ])('%j → %s', (address, expected) => {
    expect(isSystemAddress(address)).toBe(expected);
  });
});
