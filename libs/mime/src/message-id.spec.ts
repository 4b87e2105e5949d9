import { formatMessageIdHeader, normalizeMessageId, parseMessageIdList } from '@lib/mime';

describe('normalizeMessageId', () => {
  it.each([
    ['<CAF3x9a+Jb=Q@mail.gmail.com>', 'CAF3x9a+Jb=Q@mail.gmail.com'],
    ['  <abc@example.lv>  ', 'abc@example.lv'],
    ['abc@example.lv', 'abc@example.lv'],
    ['<<abc@example.lv>>', 'abc@example.lv'],
    ['<abc@exa\r\n mple.lv>', 'abc@example.lv'],
    ['<AM0PR07MB1234.eurprd07.prod.outlook.com>', 'AM0PR07MB1234.eurprd07.prod.outlook.com'],
    ['<>', ''],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(normalizeMessageId(input)).toBe(expected);
  });

  it('keeps the case: Message-IDs are compared exactly', () => {
    expect(normalizeMessageId('<AbC@Example.LV>')).toBe('AbC@Example.LV');
  });
});

describe('formatMessageIdHeader', () => {
  it.each([
    ['abc@example.lv', '<abc@example.lv>'],
    ['<abc@example.lv>', '<abc@example.lv>'],
    [' generated-0123@vpppd.invalid ', '<generated-0123@vpppd.invalid>'],
  ])('%j → %j', (input, expected) => {
    expect(formatMessageIdHeader(input)).toBe(expected);
  });

  it.each(['', '<>', 'a<b@x', 'a>b@x', 'abc@x\u0000', 'abc@x\u007f'])('refuses %j, which would break or inject into the header', (id) => {
    expect(() => formatMessageIdHeader(id)).toThrow(RangeError);
  });

  it('cannot be used to inject a header: line breaks are removed as folding', () => {
    expect(formatMessageIdHeader('abc@x\r\nBcc: victim@example.com')).toBe('<abc@xBcc:victim@example.com>');
  });
});

describe('parseMessageIdList', () => {
  it.each([
    ['<a@x> <b@y>\r\n <c@z>', ['a@x', 'b@y', 'c@z']],
    ['<a@x>,<b@y>', ['a@x', 'b@y']],
    ['<a@x> <b@y> <a@x>', ['a@x', 'b@y']],
    ["<b@y> (Jānis's message of Mon, 3 Mar 2026)", ['b@y']],
    ['"Jānis" <b@y>', ['b@y']],
    ['a@x b@y', ['a@x', 'b@y']],
    ['a@x,b@y', ['a@x', 'b@y']],
    ['<>', []],
    ['', []],
    [null, []],
    [undefined, []],
    ['not an id', []],
  ])('%j → %j', (input, expected) => {
    expect(parseMessageIdList(input)).toEqual(expected);
  });
});
