import { classifyAutomated, parseDeliveryReport, parseEmail } from '@lib/mime';
import { rawEmail } from './testing/raw-email';

/** The acknowledgement we sent, as it comes back inside the reports. */
const OUR_MESSAGE_ID = 'ack.VP-2026-000123.1772524800@vpppd.gov.lv';
const OUR_HEADERS = [
  'Return-Path: <info@vpppd.gov.lv>',
  'Received: from app.vpppd.gov.lv (app.vpppd.gov.lv [192.0.2.5])',
  '\tby mx.vpppd.gov.lv (Postfix) with ESMTPS id 4Zk1x23abcz',
  '\tfor <nobody@example.com>; Tue,  3 Mar 2026 10:00:05 +0200 (EET)',
  'From: VPPPD <info@vpppd.gov.lv>',
  'To: nobody@example.com',
  'Subject: =?utf-8?Q?J=C5=ABsu_pieteikums_sa=C5=86emts?= [VP-2026-000123]',
  `Message-ID: <${OUR_MESSAGE_ID}>`,
  'Date: Tue, 3 Mar 2026 10:00:00 +0200',
  'Auto-Submitted: auto-replied',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: 8bit',
].join('\n');
const OUR_BODY = 'Labdien! Jūsu pieteikums ir saņemts un reģistrēts ar numuru VP-2026-000123.\n';

/** Postfix bounce(8): permanent failure, the whole message returned. */
const POSTFIX = `Return-Path: <>
Received: by mx.vpppd.gov.lv (Postfix)
\tid 5Ab2y34bcda; Tue,  3 Mar 2026 10:00:07 +0200 (EET)
Date: Tue,  3 Mar 2026 10:00:07 +0200 (EET)
From: MAILER-DAEMON@mx.vpppd.gov.lv (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: info@vpppd.gov.lv
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4Zk1x23abcz.1772524807/mx.vpppd.gov.lv"
Content-Transfer-Encoding: 8bit
Message-Id: <20260303080007.5Ab2y34bcda@mx.vpppd.gov.lv>

This is a MIME-encapsulated message.

--4Zk1x23abcz.1772524807/mx.vpppd.gov.lv
Content-Description: Notification
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

This is the mail system at host mx.vpppd.gov.lv.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

For further assistance, please send mail to postmaster.

If you do so, please include this problem report. You can
delete your own text from the attached returned message.

                   The mail system

<nobody@example.com>: host mx.example.com[192.0.2.25] said: 550 5.1.1
    <nobody@example.com>: Recipient address rejected: User unknown in virtual
    mailbox table (in reply to RCPT TO command)

--4Zk1x23abcz.1772524807/mx.vpppd.gov.lv
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.vpppd.gov.lv
X-Postfix-Queue-ID: 4Zk1x23abcz
X-Postfix-Sender: rfc822; info@vpppd.gov.lv
Arrival-Date: Tue,  3 Mar 2026 10:00:05 +0200 (EET)

Final-Recipient: rfc822; nobody@example.com
Original-Recipient: rfc822;nobody@example.com
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.com
Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.com>: Recipient address
    rejected: User unknown in virtual mailbox table

--4Zk1x23abcz.1772524807/mx.vpppd.gov.lv
Content-Description: Undelivered Message
Content-Type: message/rfc822
Content-Transfer-Encoding: 8bit

${OUR_HEADERS}

${OUR_BODY}
--4Zk1x23abcz.1772524807/mx.vpppd.gov.lv--
`;

/** Postfix with bounce_size_limit exceeded or RET=HDRS: only the headers come back. */
const POSTFIX_HEADERS_ONLY = POSTFIX.replace(
  /Content-Description: Undelivered Message\nContent-Type: message\/rfc822\nContent-Transfer-Encoding: 8bit\n\n[\s\S]*?\n--4Zk1x23abcz/,
  `Content-Description: Undelivered Message Headers\nContent-Type: text/rfc822-headers\nContent-Transfer-Encoding: 8bit\n\n${OUR_HEADERS}\n\n--4Zk1x23abcz`,
);

/** Exim: a delay warning with two recipients, the returned part as text/rfc822-headers. */
const EXIM_DELAY = `Return-path: <>
Envelope-to: info@vpppd.gov.lv
Received: from Debian-exim by mail.example.org with local (Exim 4.96)
\tid 1vXyZb-000456-7c
\tfor info@vpppd.gov.lv;
\tWed, 04 Mar 2026 10:00:09 +0200
X-Failed-Recipients: anna@example.org
Auto-Submitted: auto-replied
From: Mail Delivery System <Mailer-Daemon@mail.example.org>
To: info@vpppd.gov.lv
References: <${OUR_MESSAGE_ID}>
Content-Type: multipart/report; report-type=delivery-status; boundary=1772611209-eximdsn-846930886
MIME-Version: 1.0
Subject: Warning: message 1vXyZa-000123-4b delayed 24 hours
Message-Id: <E1vXyZb-000456-7c@mail.example.org>
Date: Wed, 04 Mar 2026 10:00:09 +0200

--1772611209-eximdsn-846930886
Content-type: text/plain; charset=us-ascii

This message was created automatically by mail delivery software.
A message that you sent has not yet been delivered to one or more of its
recipients after more than 24 hours on the queue on mail.example.org.

The message identifier is:     1vXyZa-000123-4b
The subject of the message is: Jūsu pieteikums saņemts [VP-2026-000123]
The date of the message is:    Tue, 3 Mar 2026 10:00:00 +0200

The address to which the message has not yet been delivered is:

  anna@example.org
    host mx.example.org [198.51.100.7]
    Delay reason: SMTP error from remote mail server after RCPT TO:<anna@example.org>:
    451 4.7.1 Greylisting in action, please come back later

No action is required on your part. Delivery attempts will continue for
some time, and this warning may be repeated at intervals if the message
remains undelivered. Eventually the mail delivery software will give up,
and when that happens, the message will be returned to you.

--1772611209-eximdsn-846930886
Content-type: message/delivery-status

Reporting-MTA: dns; mail.example.org

Action: delivered
Final-Recipient: rfc822;peteris@example.org
Status: 2.0.0

Action: delayed
Final-Recipient: rfc822;anna@example.org
Status: 4.0.0
Remote-MTA: dns; mx.example.org
Diagnostic-Code: smtp; 451 4.7.1 Greylisting in action, please come back later
Will-Retry-Until: Fri, 06 Mar 2026 10:00:05 +0200

--1772611209-eximdsn-846930886
Content-type: text/rfc822-headers

${OUR_HEADERS.replace(/^Return-Path/m, 'Return-path')}

--1772611209-eximdsn-846930886--
`;

/** OpenSMTPD bounce.c: multipart/mixed, no Diagnostic-Code, the whole message in a text/rfc822-headers part. */
const OPENSMTPD = `Return-Path: <>
Subject: Delivery status notification: error
From: Mailer Daemon <MAILER-DAEMON@mx.example.net>
To: info@vpppd.gov.lv
Date: Tue, 3 Mar 2026 10:00:09 +0200
MIME-Version: 1.0
Content-Type: multipart/mixed;boundary="    1772524809/mx.example.net"

This is a MIME-encapsulated message.

--    1772524809/mx.example.net
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

    Hi!

    This is the MAILER-DAEMON, please DO NOT REPLY to this email.

    An error has occurred while attempting to deliver a message for
    the following list of recipients:

ilze@example.net: 550 Invalid recipient <ilze@example.net>

    Below is a copy of the original message:

--    1772524809/mx.example.net
Content-Description: Delivery Report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; ilze@example.net
Action: failed
Status: 5.0.0

--    1772524809/mx.example.net
Content-Description: Message headers
Content-Type: text/rfc822-headers

${OUR_HEADERS}

${OUR_BODY}
--    1772524809/mx.example.net--
`;

/** Gmail: HTML notice with an icon, X-Original-Message-ID, a Diagnostic-Code folded over three lines. */
const GMAIL = `Return-Path: <>
X-Failed-Recipients: nav.tada.adrese@gmail.com
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: info@vpppd.gov.lv
Auto-Submitted: auto-replied
Subject: Delivery Status Notification (Failure)
References: <${OUR_MESSAGE_ID}>
In-Reply-To: <${OUR_MESSAGE_ID}>
Message-ID: <65e4a1f0.050a0220.1c2b3.abcdSMTPIN_REJECTED@mx.google.com>
Date: Tue, 03 Mar 2026 00:00:08 -0800 (PST)
MIME-Version: 1.0
Content-Type: multipart/report; boundary="000000000000b1c2d3e4f5a6b7c8"; report-type=delivery-status

--000000000000b1c2d3e4f5a6b7c8
Content-Type: multipart/related; boundary="000000000000b1c2d3e4f5a6b7d0"

--000000000000b1c2d3e4f5a6b7d0
Content-Type: multipart/alternative; boundary="000000000000b1c2d3e4f5a6b7d1"

--000000000000b1c2d3e4f5a6b7d1
Content-Type: text/plain; charset="UTF-8"


** Address not found **

Your message wasn't delivered to nav.tada.adrese@gmail.com because the address couldn't be found, or is unable to receive mail.

Learn more here: https://support.google.com/mail/?p=NoSuchUser

--000000000000b1c2d3e4f5a6b7d1
Content-Type: text/html; charset="UTF-8"

<html><head><style>* {font-family:Roboto, sans-serif;}</style></head><body><table><tr><td><img src="cid:icon.png" width="48"></td><td><h2>Address not found</h2></td></tr></table><p>Your message wasn't delivered to <a href="mailto:nav.tada.adrese@gmail.com">nav.tada.adrese@gmail.com</a>.</p></body></html>
--000000000000b1c2d3e4f5a6b7d1--
--000000000000b1c2d3e4f5a6b7d0
Content-Type: image/png; name="icon.png"
Content-Disposition: attachment; filename="icon.png"
Content-Transfer-Encoding: base64
Content-ID: <icon.png>

iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==
--000000000000b1c2d3e4f5a6b7d0--
--000000000000b1c2d3e4f5a6b7c8
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Received-From-MTA: dns; mx.vpppd.gov.lv
Arrival-Date: Tue, 03 Mar 2026 00:00:05 -0800 (PST)
X-Original-Message-ID: <${OUR_MESSAGE_ID}>

Final-Recipient: rfc822; nav.tada.adrese@gmail.com
Action: failed
Status: 5.1.1
Remote-MTA: dns; gmail-smtp-in.l.google.com. (2a00:1450:4010:c0e::1b, the server for the domain gmail.com.)
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try
 550-5.1.1 double-checking the recipient's email address for typos or
 550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser a1-20020a05 - gsmtp
Last-Attempt-Date: Tue, 03 Mar 2026 00:00:08 -0800 (PST)

--000000000000b1c2d3e4f5a6b7c8
Content-Type: message/rfc822

${OUR_HEADERS}

${OUR_BODY}
--000000000000b1c2d3e4f5a6b7c8--
`;

const crlf = (text: string) => Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf8');

async function report(text: string, options?: Parameters<typeof parseEmail>[1]) {
  const parsed = await parseEmail(crlf(text), options);
  return { parsed, report: parseDeliveryReport(parsed) };
}

describe('parseDeliveryReport', () => {
  it('reads a Postfix bounce', async () => {
    const { parsed, report: dsn } = await report(POSTFIX);
    expect(dsn).toEqual({
      originalMessageId: OUR_MESSAGE_ID,
      recipient: 'nobody@example.com',
      action: 'failed',
      status: '5.1.1',
      diagnostic: '550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in virtual mailbox table',
      recipients: [
        {
          recipient: 'nobody@example.com',
          action: 'failed',
          status: '5.1.1',
          diagnostic: '550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in virtual mailbox table',
        },
      ],
    });
    expect(classifyAutomated(parsed)).toEqual({
      automated: true,
      kind: 'delivery-report',
      reason: 'Content-Type: multipart/report; report-type=delivery-status',
    });
    // The report parts are not attachments, and the notice is the text.
    expect(parsed.attachments).toEqual([]);
    expect(parsed.reportParts.map((part) => part.contentType)).toEqual(['message/delivery-status', 'message/rfc822']);
    expect(parsed.text).toContain("I'm sorry to have to inform you that your message could not");
    expect(parsed.text).not.toContain('Reporting-MTA');
  });

  it('keeps only the header section of a returned message', async () => {
    const { parsed } = await report(POSTFIX);
    const returned = parsed.reportParts[1].content.toString('utf8');
    expect(returned).toBe(OUR_HEADERS.replace(/\n/g, '\r\n'));
    expect(returned).not.toContain('Labdien!');
  });

  it('reads a Postfix bounce that returned only the headers', async () => {
    expect(POSTFIX_HEADERS_ONLY).toContain('Content-Type: text/rfc822-headers');
    expect(POSTFIX_HEADERS_ONLY).not.toContain(OUR_BODY);
    const { parsed, report: dsn } = await report(POSTFIX_HEADERS_ONLY);
    expect(parsed.reportParts.map((part) => part.contentType)).toEqual(['message/delivery-status', 'text/rfc822-headers']);
    expect(dsn).toMatchObject({ originalMessageId: OUR_MESSAGE_ID, recipient: 'nobody@example.com', action: 'failed', status: '5.1.1' });
  });

  it('reads an Exim delay warning and sums it up by the delayed recipient, not the delivered one', async () => {
    const { parsed, report: dsn } = await report(EXIM_DELAY);
    expect(dsn).toEqual({
      originalMessageId: OUR_MESSAGE_ID,
      recipient: 'anna@example.org',
      action: 'delayed',
      status: '4.0.0',
      diagnostic: '451 4.7.1 Greylisting in action, please come back later',
      recipients: [
        { recipient: 'peteris@example.org', action: 'delivered', status: '2.0.0', diagnostic: null },
        {
          recipient: 'anna@example.org',
          action: 'delayed',
          status: '4.0.0',
          diagnostic: '451 4.7.1 Greylisting in action, please come back later',
        },
      ],
    });
    expect(classifyAutomated(parsed).kind).toBe('delivery-report');
  });

  it('reads an OpenSMTPD bounce, which is multipart/mixed and returns the whole message as "headers"', async () => {
    const { parsed, report: dsn } = await report(OPENSMTPD);
    expect(parsed.headers.contentType?.value).toBe('multipart/mixed');
    expect(dsn).toEqual({
      originalMessageId: OUR_MESSAGE_ID,
      recipient: 'ilze@example.net',
      action: 'failed',
      status: '5.0.0',
      diagnostic: null,
      recipients: [{ recipient: 'ilze@example.net', action: 'failed', status: '5.0.0', diagnostic: null }],
    });
    expect(classifyAutomated(parsed)).toEqual({ automated: true, kind: 'delivery-report', reason: 'message/delivery-status part' });
  });

  it('reads a Gmail bounce with its folded diagnostic and keeps its icon out of the report', async () => {
    const { parsed, report: dsn } = await report(GMAIL);
    expect(dsn).toEqual({
      originalMessageId: OUR_MESSAGE_ID,
      recipient: 'nav.tada.adrese@gmail.com',
      action: 'failed',
      status: '5.1.1',
      diagnostic:
        "550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos or 550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser a1-20020a05 - gsmtp",
      recipients: [expect.objectContaining({ recipient: 'nav.tada.adrese@gmail.com' })],
    });
    expect(parsed.attachments.map((a) => [a.filename, a.inline])).toEqual([['icon.png', true]]);
    expect(parsed.html).toContain('<img src="cid:icon.png" width="48" />');
  });

  it("falls back to Gmail's X-Original-Message-ID when no returned message is attached", async () => {
    const withoutOriginal = GMAIL.replace(
      /--000000000000b1c2d3e4f5a6b7c8\nContent-Type: message\/rfc822[\s\S]*(?=--000000000000b1c2d3e4f5a6b7c8--)/,
      '',
    );
    expect(withoutOriginal).not.toContain('message/rfc822');
    const { report: dsn } = await report(withoutOriginal);
    expect(dsn?.originalMessageId).toBe(OUR_MESSAGE_ID);
  });

  it('finds the original Message-ID when the returned message is marked inline', async () => {
    // mailparser would fold an inline message/rfc822 into the body text and lose its headers.
    const inline = POSTFIX.replace('Content-Type: message/rfc822\n', 'Content-Type: message/rfc822\nContent-Disposition: inline\n');
    const { parsed, report: dsn } = await report(inline);
    expect(dsn?.originalMessageId).toBe(OUR_MESSAGE_ID);
    expect(parsed.text).not.toContain('Jūsu pieteikums ir saņemts');
  });

  it('is not hindered by attachment limits', async () => {
    const { report: dsn } = await report(GMAIL, { maxAttachments: 0, maxAttachmentBytes: 0 });
    expect(dsn).toMatchObject({ originalMessageId: OUR_MESSAGE_ID, action: 'failed' });
  });

  it('reads the per-recipient fields even when an MTA puts them in the per-message group', async () => {
    const compact = `From: MAILER-DAEMON@mx.example.com
To: info@vpppd.gov.lv
Subject: Undelivered Mail Returned to Sender
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Delivery failed.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com
Final-Recipient: RFC822; <Janis@Example.com>
Action: Failed (permanent)
Status: 5.0.0 (permanent failure)
Diagnostic-Code: X-Postfix; Host or domain name not found. Name service error
    for name=example.invalid type=MX: Host not found
--B--
`;
    const { report: dsn } = await report(compact);
    expect(dsn).toEqual({
      originalMessageId: null,
      recipient: 'janis@example.com',
      action: 'failed',
      status: '5.0.0',
      diagnostic: 'Host or domain name not found. Name service error for name=example.invalid type=MX: Host not found',
      recipients: [expect.objectContaining({ recipient: 'janis@example.com' })],
    });
  });

  it('gives nulls for a status part it cannot make sense of, rather than failing', async () => {
    const odd = `From: postmaster@example.com
Subject: x
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Action: exploded
Status: unknown
--B--
`;
    const { report: dsn } = await report(odd);
    expect(dsn).toEqual({
      originalMessageId: null,
      recipient: null,
      action: null,
      status: null,
      diagnostic: null,
      recipients: [{ recipient: null, action: null, status: null, diagnostic: null }],
    });
  });

  it('is null for a mail that is not a delivery report', async () => {
    const { report: dsn } = await report(
      'From: janis@example.lv\nSubject: Undelivered Mail Returned to Sender\n\nAction: failed\nStatus: 5.1.1\n',
    );
    expect(dsn).toBeNull();
  });

  it('is null for a read receipt, which is a report of another kind', async () => {
    const mdn = rawEmail(
      [
        'From: janis@example.lv',
        'Subject: Read: Pabalsts',
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="B"',
      ],
      '--B\nContent-Type: text/plain\n\nThe message was displayed.\n--B\nContent-Type: message/disposition-notification\n\nReporting-UA: Outlook\nFinal-Recipient: rfc822; janis@example.lv\nDisposition: manual-action/MDN-sent-manually; displayed\n--B--\n',
    );
    const parsed = await parseEmail(mdn);
    expect(parseDeliveryReport(parsed)).toBeNull();
    expect(classifyAutomated(parsed)).toEqual({
      automated: true,
      kind: 'auto-reply',
      reason: 'read receipt (message/disposition-notification, RFC 8098)',
    });
  });
});
