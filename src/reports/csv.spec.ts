import { toCsv } from './csv';

describe('toCsv', () => {
  it('quotes what needs quoting and defuses spreadsheet formulas', () => {
    expect(toCsv([{ a: 'x,y', b: 'say "hi"', c: null, d: -1.5, e: '=SUM(A1)' }])).toBe(
      'a,b,c,d,e\r\n"x,y","say ""hi""",,-1.5,\'=SUM(A1)\r\n',
    );
  });

  it('writes a structured value as JSON', () => {
    expect(toCsv([{ when: new Date('2026-01-02T03:04:05Z'), detail: { a: 1 } }])).toBe(
      'when,detail\r\n2026-01-02T03:04:05.000Z,"{""a"":1}"\r\n',
    );
  });

  it('writes only the header when there are no rows and columns are given', () => {
    expect(toCsv([], ['month', 'count'])).toBe('month,count\r\n');
  });
});
