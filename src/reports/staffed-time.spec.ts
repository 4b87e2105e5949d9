import { Span, staffedMilliseconds } from './staffed-time';

const M = 60_000;
// 08:30-09:00, 09:00-09:30, 09:30-10:00, then 13:00-13:20 (a shortened last slot), in minutes from midnight.
const slots: Span[] = [
  [510 * M, 540 * M],
  [540 * M, 570 * M],
  [570 * M, 600 * M],
  [780 * M, 800 * M],
];

describe('staffedMilliseconds', () => {
  it('counts a slot whole when work was done in it, the start included and the end not', () => {
    expect(staffedMilliseconds(slots, [540 * M], [])).toBe(30 * M);
    expect(staffedMilliseconds(slots, [600 * M, 700 * M, 100 * M], [])).toBe(0);
    expect(staffedMilliseconds(slots, [799 * M, 511 * M, 512 * M], [])).toBe(50 * M);
  });

  it('counts every slot an online period touches, and each slot once', () => {
    expect(staffedMilliseconds(slots, [], [[550 * M, 575 * M]])).toBe(60 * M);
    expect(
      staffedMilliseconds(
        slots,
        [545 * M],
        [
          [0, 1440 * M],
          [520 * M, 530 * M],
        ],
      ),
    ).toBe(110 * M);
    expect(staffedMilliseconds(slots, [], [[600 * M, 780 * M]])).toBe(0);
  });

  it('is zero without slots', () => {
    expect(staffedMilliseconds([], [1], [[0, 2]])).toBe(0);
  });
});
