import { describe, expect, it } from '@jest/globals';
import { formatDuration } from './duration';

describe('formatDuration', () => {
  it('reads whole hours and minutes as hours and minutes, not thousands of seconds', () => {
    expect(formatDuration(3600)).toBe('1\u00a0h');
    expect(formatDuration(28_800)).toBe('8\u00a0h');
    expect(formatDuration(5400)).toBe('1\u00a0h 30\u00a0min');
    expect(formatDuration(2700)).toBe('45\u00a0min');
  });

  it('keeps the seconds a target has', () => {
    expect(formatDuration(90)).toBe('1\u00a0min 30\u00a0s');
    expect(formatDuration(3601)).toBe('1\u00a0h 1\u00a0s');
    expect(formatDuration(0)).toBe('0\u00a0s');
  });
});
