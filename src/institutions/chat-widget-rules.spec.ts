import { checkChatWidgetInput, contrastWithWhite, parseOrigin } from './chat-widget-rules';

describe('chat widget settings rules', () => {
  it('takes an origin exactly as browsers name it, and nothing with a path, credentials or plain http elsewhere', () => {
    expect(parseOrigin('https://www.vsaa.gov.lv')).toBe('https://www.vsaa.gov.lv');
    expect(parseOrigin('https://www.vsaa.gov.lv/')).toBe('https://www.vsaa.gov.lv');
    expect(parseOrigin('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(parseOrigin('https://VSAA.gov.lv')).toBe('https://vsaa.gov.lv');
    for (const bad of [
      'http://www.vsaa.gov.lv',
      'https://www.vsaa.gov.lv/chat',
      'https://a:b@vsaa.gov.lv',
      'https://vsaa.gov.lv?x=1',
      "https://x.lv 'unsafe-inline'",
      '*',
      'javascript:alert(1)',
    ]) {
      expect(parseOrigin(bad)).toBeNull();
    }
  });

  it('refuses a colour on which white text fails WCAG AA', () => {
    expect(contrastWithWhite('#9e1b32')).toBeGreaterThan(7);
    expect(checkChatWidgetInput({ allowedOrigins: [], colour: '#ffcc00' })).toEqual({
      errors: [expect.objectContaining({ field: 'colour', code: 'low-contrast' })],
    });
    expect(checkChatWidgetInput({ allowedOrigins: ['https://a.lv', 'https://a.lv/'], colour: '#1F4E79' })).toEqual({
      value: { allowedOrigins: ['https://a.lv'], colour: '#1f4e79', centreName: null, logoUrl: null, privacyUrl: null },
    });
  });

  it('names each bad field', () => {
    const result = checkChatWidgetInput({
      allowedOrigins: ['https://ok.lv', 'ftp://x'],
      logoUrl: 'data:image/png;base64,AA',
      centreName: '',
    });
    expect('errors' in result && result.errors.map((e) => e.field)).toEqual(['allowedOrigins[1]', 'centreName', 'logoUrl']);
  });
});
