import { describe, expect, it } from '@jest/globals';
import { formatNumber, parseNumber } from './numbers';

describe('parseNumber', () => {
  it('reads a decimal comma or point, and spaces between thousands', () => {
    expect(parseNumber('12,50')).toBe(12.5);
    expect(parseNumber('12.5')).toBe(12.5);
    expect(parseNumber(' 1 250,50 ')).toBe(1250.5);
    expect(parseNumber('1\u00a0250\u00a0000')).toBe(1_250_000);
    expect(parseNumber('-3')).toBe(-3);
  });

  it('refuses what is not plainly one number', () => {
    for (const typed of ['daudz', '12 5', '1,250.50', '1.2.3', '12,', ',5', '', '1e3', '0x10']) expect(parseNumber(typed)).toBeNull();
  });
});

describe('formatNumber', () => {
  it('writes the decimal separator of the language, so the value reads back the same', () => {
    expect(formatNumber(1250.5, 'lv')).toBe('1250,5');
    expect(formatNumber(1250.5, 'en')).toBe('1250.5');
    expect(parseNumber(formatNumber(0.25, 'lv'))).toBe(0.25);
  });
});
