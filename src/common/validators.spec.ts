import { isBase64 } from './validators';

describe('isBase64', () => {
  it('accepts standard base64 with and without padding', () => {
    for (const s of [
      '',
      'TQ==',
      'TWE=',
      'TWFu',
      Buffer.from('Labdien, pasaule!').toString('base64'),
      Buffer.from([0xfb, 0xff]).toString('base64'),
    ]) {
      expect([s, isBase64(s)]).toEqual([s, true]);
    }
  });

  it('refuses other alphabets, stray characters, padding in the middle and partial quanta', () => {
    for (const s of ['TWF', 'TW=u', 'TWFu\n', 'TW-u', 'TW_u', '====', 'TQ===']) {
      expect([s, isBase64(s)]).toEqual([s, false]);
    }
  });

  it('checks a file of many megabytes without exhausting the stack', () => {
    const big = Buffer.alloc(15 * 1024 * 1024, 7).toString('base64');
    expect(isBase64(big)).toBe(true);
    expect(isBase64(`${big.slice(0, -4)}*AAA`)).toBe(false);
  });
});
