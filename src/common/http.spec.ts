import { accepts, acceptsLanguages, attachmentDisposition, headerOf, pathOf } from './http';

const req = (headers: Record<string, string>) => ({ headers });

describe('accepts', () => {
  it('answers the first offer when the client states no preference', () => {
    expect(accepts(req({}), ['json', 'html'])).toBe('json');
    expect(accepts(req({ accept: '*/*' }), ['application/json', 'text/csv'])).toBe('application/json');
  });

  it("follows a browser's Accept header and explicit choices", () => {
    const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    expect(accepts(req({ accept: browser }), ['json', 'html'])).toBe('html');
    expect(accepts(req({ accept: 'text/csv' }), ['application/json', 'text/csv'])).toBe('text/csv');
    expect(accepts(req({ accept: 'application/json, text/csv;q=0.5' }), ['application/json', 'text/csv'])).toBe('application/json');
    expect(accepts(req({ accept: 'text/*' }), ['json', 'html'])).toBe('html');
  });

  it('answers false when nothing offered is acceptable, or only with q=0', () => {
    expect(accepts(req({ accept: 'image/png' }), ['json', 'html'])).toBe(false);
    expect(accepts(req({ accept: 'text/html;q=0' }), ['html'])).toBe(false);
  });
});

describe('acceptsLanguages', () => {
  it('matches a regional variant to its language and follows q', () => {
    expect(acceptsLanguages(req({ 'accept-language': 'en-GB,en;q=0.9' }), ['lv', 'ru', 'en'])).toBe('en');
    expect(acceptsLanguages(req({ 'accept-language': 'de, ru;q=0.5, lv;q=0.7' }), ['lv', 'ru', 'en'])).toBe('lv');
    expect(acceptsLanguages(req({ 'accept-language': 'de' }), ['lv', 'ru', 'en'])).toBe(false);
    expect(acceptsLanguages(req({}), ['lv', 'ru', 'en'])).toBe('lv');
  });
});

describe('attachmentDisposition', () => {
  it('quotes an ASCII name and adds the UTF-8 form for any other', () => {
    expect(attachmentDisposition('report.pdf')).toBe('attachment; filename="report.pdf"');
    expect(attachmentDisposition('a "b".txt')).toBe('attachment; filename="a \\"b\\".txt"');
    expect(attachmentDisposition('iesniegums-Rīga.pdf')).toBe(
      `attachment; filename="iesniegums-R?ga.pdf"; filename*=UTF-8''iesniegums-R%C4%ABga.pdf`,
    );
    expect(attachmentDisposition('../../etc/passwd')).toBe('attachment; filename="passwd"');
  });
});

describe('pathOf and headerOf', () => {
  it('cuts the query string, and takes a header sent once', () => {
    expect(pathOf({ url: '/v1/tickets?q=050385-12347' })).toBe('/v1/tickets');
    expect(pathOf({ url: '/case' })).toBe('/case');
    expect(headerOf({ headers: { 'x-signature': 't=1,v1=ab' } }, 'X-Signature')).toBe('t=1,v1=ab');
    expect(headerOf({ headers: { 'x-signature': ['a', 'b'] } }, 'x-signature')).toBeUndefined();
  });
});
