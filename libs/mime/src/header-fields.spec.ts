import { fieldValue, parseHeaderSection, splitFieldGroups } from './header-fields';

describe('header fields', () => {
  it('splits a delivery-status body into groups and unfolds continuation lines', () => {
    const text = [
      'Reporting-MTA: dns; mx.example.lv',
      'Arrival-Date: Tue,  3 Mar 2026 10:00:00 +0200 (EET)',
      '',
      'Final-Recipient: rfc822; nobody@example.com',
      'Action: failed',
      'Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.com>: Recipient address',
      '    rejected: User unknown',
      '',
      '',
    ].join('\r\n');
    expect(splitFieldGroups(text)).toEqual([
      [
        { name: 'reporting-mta', value: 'dns; mx.example.lv' },
        { name: 'arrival-date', value: 'Tue,  3 Mar 2026 10:00:00 +0200 (EET)' },
      ],
      [
        { name: 'final-recipient', value: 'rfc822; nobody@example.com' },
        { name: 'action', value: 'failed' },
        { name: 'diagnostic-code', value: 'smtp; 550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown' },
      ],
    ]);
  });

  it('treats a line of blanks as a group separator too', () => {
    expect(splitFieldGroups('A: 1\n \t\nB: 2\n')).toEqual([[{ name: 'a', value: '1' }], [{ name: 'b', value: '2' }]]);
  });

  it('reads the header section only, up to the first blank line', () => {
    const fields = parseHeaderSection('Message-ID: <orig@vpppd.gov.lv>\r\nSubject: x\r\n\r\nMessage-ID: <body@x>\r\n');
    expect(fields).toEqual([
      { name: 'message-id', value: '<orig@vpppd.gov.lv>' },
      { name: 'subject', value: 'x' },
    ]);
  });

  it('accepts blanks before the colon and skips lines that are not fields, with their continuations', () => {
    const fields = parseHeaderSection(
      'From sender@example.lv Tue Mar  3 10:00:00 2026\n  folded junk\nAction : failed\nno colon here\n\tmore junk\nStatus: 5.0.0',
    );
    expect(fields).toEqual([
      { name: 'action', value: 'failed' },
      { name: 'status', value: '5.0.0' },
    ]);
  });

  it('finds the first value of a field by any case of its name', () => {
    const fields = parseHeaderSection('Received: one\nreceived: two\n');
    expect(fieldValue(fields, 'RECEIVED')).toBe('one');
    expect(fieldValue(fields, 'Message-ID')).toBeNull();
  });
});
