import { isStorableText, makeTextStorable, toStorableText, unstorableTextPaths } from './storable-text';

describe('text PostgreSQL can store', () => {
  it('drops NUL and turns half a surrogate pair into U+FFFD, leaving whole pairs and escapes-as-text alone', () => {
    expect(toStorableText('a\u0000b')).toBe('ab');
    expect(toStorableText('x\ud800y')).toBe('x\ufffdy');
    expect(toStorableText('x\udc00')).toBe('x\ufffd');
    expect(toStorableText('smaids 😀 ķ')).toBe('smaids 😀 ķ');
    expect(toStorableText('literally \\u0000')).toBe('literally \\u0000');
    expect(isStorableText('😀')).toBe(true);
    expect(isStorableText('\ud83d')).toBe(false);
  });

  it('cleans every string of a parsed body in place, keys included', () => {
    const body = JSON.parse('{"message":"a\\u0000b","applicant":{"firstName":"J\\ud800"},"tags":["ok","\\u0000"],"n":1,"k\\u0000":true}');
    const cleaned = makeTextStorable(body);
    expect(cleaned).toBe(body);
    expect(body).toEqual({ message: 'ab', applicant: { firstName: 'J\ufffd' }, tags: ['ok', ''], n: 1, k: true });
  });

  it('names the query and path parameters that cannot be stored', () => {
    expect(unstorableTextPaths({ q: 'a\u0000', page: '1', status: ['open', '\udfff'] })).toEqual(['q', 'status[1]']);
    expect(unstorableTextPaths('VP-2026-000001\u0000', 'reference')).toEqual(['reference']);
    expect(unstorableTextPaths({ q: 'pensija' })).toEqual([]);
  });
});
