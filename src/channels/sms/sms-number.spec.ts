import { canTakeSms } from './sms-number';

describe('canTakeSms', () => {
  it.each([
    ['+37120000001', true],
    ['+37167000000', false],
    ['+37180000000', false],
    ['+3712000000', false],
    ['+4915112345678', true],
    ['anonymous', false],
    ['', false],
    [null, false],
  ])('%s → %s', (number, expected) => expect(canTakeSms(number)).toBe(expected));
});
