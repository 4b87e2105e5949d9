/** A stretch of time as epoch milliseconds, end excluded. */
export type Span = readonly [start: number, end: number];

/**
 * How much of the planned time was staffed: a slot counts whole when someone did work in it (an instant inside
 * it) or an operator was online during any part of it. Slots are sorted and do not overlap (a calendar's
 * half-hours); instants and periods come in any order. One pass over each list, however long the month.
 */
export function staffedMilliseconds(slots: readonly Span[], workAt: readonly number[], online: readonly Span[]): number {
  const staffed = new Array<boolean>(slots.length).fill(false);
  const firstEndingAfter = (t: number) => {
    let lo = 0;
    let hi = slots.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (slots[mid][1] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (const t of workAt) {
    const i = firstEndingAfter(t);
    if (i < slots.length && slots[i][0] <= t) staffed[i] = true;
  }
  for (const [start, end] of online) {
    for (let i = firstEndingAfter(start); i < slots.length && slots[i][0] < end; i++) staffed[i] = true;
  }
  return slots.reduce((sum, [start, end], i) => sum + (staffed[i] ? end - start : 0), 0);
}
