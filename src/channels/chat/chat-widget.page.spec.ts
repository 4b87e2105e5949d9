import { scriptSafeJson, widgetCsp, widgetPage } from './chat-widget.page';

describe('the widget page', () => {
  it('keeps its settings inert: nothing in the JSON can close the script element or start markup', () => {
    const json = scriptSafeJson({ centreName: '</script><script>alert(1)</script>', x: '\u2028&' });
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual({ centreName: '</script><script>alert(1)</script>', x: '\u2028&' });
  });

  it('escapes the centre name in the title and follows the language', () => {
    const html = widgetPage({ lang: 'ru', settings: { centreName: '<b>VSAA</b>' } as never }, { js: 'abc', css: 'def' });
    expect(html).toMatch(/<html lang="ru">/);
    expect(html).toContain('<title>&#60;b&#62;VSAA&#60;/b&#62;</title>');
    expect(html).not.toContain('<b>VSAA</b>');
  });

  it('is framed only by the allowed origins, and by nobody when there are none', () => {
    expect(widgetCsp([], null)).toContain("frame-ancestors 'none'");
    const csp = widgetCsp(['https://www.vsaa.gov.lv', 'http://127.0.0.1:8080'], 'https://cdn.vsaa.gov.lv/logo.png');
    expect(csp).toContain('frame-ancestors https://www.vsaa.gov.lv http://127.0.0.1:8080');
    expect(csp).toContain("img-src 'self' data: https://cdn.vsaa.gov.lv");
    expect(csp).toContain("script-src 'self';");
  });
});
