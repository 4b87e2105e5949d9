import { parseMetaDelivery } from './meta-payload';
import { parseTelegramUpdate } from './telegram-update';
import { splitText } from './social-sender';

describe('Meta webhook deliveries', () => {
  it('reads batched Messenger entries: text, attachments, replies; skips echoes and statuses', () => {
    const parsed = parseMetaDelivery({
      object: 'page',
      entry: [
        {
          id: 'PAGE',
          time: 1764000000000,
          messaging: [
            {
              sender: { id: '111' },
              recipient: { id: 'PAGE' },
              timestamp: 1764000000000,
              message: { mid: 'm_1', text: 'Labdien!', reply_to: { mid: 'm_0' } },
            },
            {
              sender: { id: '111' },
              recipient: { id: 'PAGE' },
              timestamp: 1764000001000,
              message: { mid: 'm_2', attachments: [{ type: 'image', payload: { url: 'https://cdn.example/x.jpg' } }] },
            },
            {
              sender: { id: 'PAGE' },
              recipient: { id: '111' },
              timestamp: 1764000002000,
              message: { mid: 'm_3', text: 'Atbilde', is_echo: true },
            },
            { sender: { id: '111' }, recipient: { id: 'PAGE' }, timestamp: 1764000003000, delivery: { mids: ['m_3'], watermark: 1 } },
          ],
        },
        {
          id: 'PAGE',
          time: 1764000000000,
          messaging: [
            {
              sender: { id: '222' },
              recipient: { id: 'PAGE' },
              timestamp: 1764000000000,
              postback: { title: 'Runāt ar cilvēku', payload: 'HUMAN', mid: 'm_pb' },
            },
          ],
        },
      ],
    });
    expect(parsed.messages.map((m) => [m.platform, m.id, m.senderId, m.text])).toEqual([
      ['messenger', 'm_1', '111', 'Labdien!'],
      ['messenger', 'm_2', '111', ''],
      ['messenger', 'm_pb', '222', 'Runāt ar cilvēku'],
    ]);
    expect(parsed.messages[0]).toMatchObject({ replyTo: 'm_0', recipientId: 'PAGE', sentAt: '2025-11-24T16:00:00.000Z' });
    expect(parsed.messages[1].attachments).toEqual([{ type: 'image', url: 'https://cdn.example/x.jpg' }]);
    expect(parsed.ignored).toEqual({ echo: 1, status: 1 });
    expect(parsed.unrecognised).toEqual({});
  });

  it('reads Instagram messages the same way', () => {
    const parsed = parseMetaDelivery({
      object: 'instagram',
      entry: [
        {
          id: 'IG',
          time: 1,
          messaging: [{ sender: { id: '9' }, recipient: { id: 'IG' }, timestamp: 1764000000000, message: { mid: 'ig_1', text: 'Sveiki' } }],
        },
      ],
    });
    expect(parsed.messages).toEqual([expect.objectContaining({ platform: 'instagram', id: 'ig_1', senderId: '9', recipientId: 'IG' })]);
  });

  it('reads WhatsApp Cloud API changes: contacts, text, media by id, statuses ignored', () => {
    const parsed = parseMetaDelivery({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'WABA',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '37167000000', phone_number_id: 'PNID' },
                contacts: [{ profile: { name: 'Anna Bērziņa' }, wa_id: '37120000001' }],
                messages: [
                  { from: '37120000001', id: 'wamid.A', timestamp: '1764000000', type: 'text', text: { body: 'Kā saņemt izziņu?' } },
                  {
                    from: '37120000001',
                    id: 'wamid.B',
                    timestamp: '1764000001',
                    type: 'document',
                    document: { id: 'MEDIA1', filename: 'a.pdf', mime_type: 'application/pdf', caption: 'pielikumā' },
                  },
                ],
                statuses: [{ id: 'wamid.OUT', status: 'read', timestamp: '1764000002', recipient_id: '37120000001' }],
              },
            },
          ],
        },
      ],
    });
    expect(parsed.messages.map((m) => [m.id, m.senderId, m.recipientId, m.text, m.firstName, m.lastName])).toEqual([
      ['wamid.A', '+37120000001', 'PNID', 'Kā saņemt izziņu?', 'Anna', 'Bērziņa'],
      ['wamid.B', '+37120000001', 'PNID', 'pielikumā', 'Anna', 'Bērziņa'],
    ]);
    expect(parsed.messages[1].attachments).toEqual([
      { type: 'document', mediaId: 'MEDIA1', mimeType: 'application/pdf', filename: 'a.pdf' },
    ]);
    expect(parsed.ignored).toEqual({ status: 1 });
  });

  it('turns a WhatsApp failed status about one of our replies into a failure report, other statuses are skipped', () => {
    const status = (s: string, extra = {}) => ({
      id: 'wamid.OUT',
      status: s,
      timestamp: '1764000002',
      recipient_id: '37120000001',
      ...extra,
    });
    const parsed = parseMetaDelivery({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'W',
          changes: [
            {
              field: 'messages',
              value: {
                metadata: { phone_number_id: 'P' },
                statuses: [
                  status('read', { biz_opaque_callback_data: 'ours@x' }),
                  status('failed', { biz_opaque_callback_data: 'ours@x', errors: [{ code: 131047, title: 'Re-engagement message' }] }),
                  status('failed'), // a message we did not tag (sent elsewhere): nothing of ours to mark
                ],
              },
            },
          ],
        },
      ],
    });
    expect(parsed.failures).toEqual([
      {
        platform: 'whatsapp',
        id: 'wamid.OUT',
        messageExternalId: 'ours@x',
        recipient: '+37120000001',
        code: '131047',
        reason: 'Re-engagement message',
      },
    ]);
    expect(parsed.ignored).toEqual({ status: 2 });
  });

  it('never throws on shapes it does not know, and says what they were', () => {
    for (const body of [
      null,
      'x',
      42,
      [],
      {},
      { object: 'page' },
      { object: 'user', entry: [] },
      { object: 'page', entry: [1, { messaging: [{}] }] },
    ]) {
      expect(() => parseMetaDelivery(body)).not.toThrow();
    }
    expect(parseMetaDelivery({ object: 'user', entry: [] }).unrecognised).toEqual({ object_user: 1 });
    expect(parseMetaDelivery({ object: 'page', entry: [1, { messaging: [{}] }] }).unrecognised).toEqual({
      entry_not_object: 1,
      messaging_event_shape: 1,
    });
    expect(
      parseMetaDelivery({
        object: 'whatsapp_business_account',
        entry: [
          {
            changes: [
              { field: 'messages', value: { metadata: { phone_number_id: 'P' }, messages: [{ from: '371', id: 'x', type: 'text' }] } },
            ],
          },
        ],
      }).unrecognised,
    ).toEqual({
      whatsapp_message_shape: 1,
    });
  });
});

describe('Telegram updates', () => {
  const base = {
    message_id: 5,
    from: { id: 77, is_bot: false, first_name: 'Jānis', last_name: 'Ozols', language_code: 'lv' },
    chat: { id: 77, type: 'private' },
    date: 1764000000,
  };

  it('reads a private message with its language, a photo, and a shared own phone number', () => {
    const text = parseTelegramUpdate({ update_id: 1001, message: { ...base, text: 'Labdien' } }, 'BOT');
    expect(text.messages[0]).toMatchObject({
      platform: 'telegram',
      id: '1001',
      senderId: '77',
      recipientId: 'BOT',
      text: 'Labdien',
      firstName: 'Jānis',
      language: 'lv',
    });
    const photo = parseTelegramUpdate(
      {
        update_id: 1002,
        message: {
          ...base,
          caption: 'skat.',
          photo: [
            { file_id: 's', width: 90 },
            { file_id: 'L', width: 1280 },
          ],
        },
      },
      'BOT',
    );
    expect(photo.messages[0]).toMatchObject({ text: 'skat.', attachments: [{ type: 'image', mediaId: 'L' }] });
    const contact = parseTelegramUpdate(
      { update_id: 1003, message: { ...base, contact: { phone_number: '37120000002', user_id: 77, first_name: 'Jānis' } } },
      'BOT',
    );
    expect(contact.messages[0].phone).toBe('+37120000002');
  });

  it('ignores edits, groups and bots, and counts shapes it does not know', () => {
    expect(parseTelegramUpdate({ update_id: 1, edited_message: { ...base, text: 'x' } }, 'B').ignored).toEqual({ edited_message: 1 });
    expect(parseTelegramUpdate({ update_id: 2, message: { ...base, chat: { id: -5, type: 'group' }, text: 'x' } }, 'B').ignored).toEqual({
      group_chat: 1,
    });
    expect(parseTelegramUpdate({ update_id: 3, something_new: {} }, 'B').unrecognised).toEqual({ update_kind: 1 });
    expect(parseTelegramUpdate({ hello: 1 }, 'B').unrecognised).toEqual({ no_update_id: 1 });
  });

  it('takes a pressed button as what the customer said', () => {
    const parsed = parseTelegramUpdate(
      {
        update_id: 9,
        callback_query: { id: 'cb', from: base.from, message: { message_id: 1, chat: base.chat }, data: 'Runāt ar cilvēku' },
      },
      'B',
    );
    expect(parsed.messages[0]).toMatchObject({ id: '9', senderId: '77', text: 'Runāt ar cilvēku' });
  });
});

describe('long replies', () => {
  it('are split at word boundaries under the platform limit', () => {
    const text = Array.from({ length: 300 }, (_, i) => `vārds${i}`).join(' ');
    const parts = splitText(text, 500);
    expect(parts.every((p) => p.length <= 500)).toBe(true);
    expect(parts.join(' ')).toBe(text);
  });
});
