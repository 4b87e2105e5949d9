import { TicketEffects } from './ticket-effects';

describe('TicketEffects', () => {
  it('starts empty, and anything collected makes it not empty', () => {
    expect(new TicketEffects().empty).toBe(true);
    const cases: Array<(e: TicketEffects) => void> = [
      (e) => e.ticketsChanged(['t1']),
      (e) => e.offerWork('inbound'),
      (e) => e.webhooks(['d1']),
      (e) => e.outbound(['m1']),
      (e) => e.toAgent('a1', 'assignment', {}),
      (e) => e.toSupervisors('sla', {}),
      (e) => e.timers.touch('t1'),
    ];
    for (const add of cases) {
      const e = new TicketEffects();
      add(e);
      expect(e.empty).toBe(false);
    }
  });

  it('keeps a ticket created in the transaction as created, whatever else happened to it', () => {
    const e = new TicketEffects();
    e.ticketsChanged(['new', 'old'], 'created');
    e.ticketsChanged(['new', 'old2'], 'assigned');
    e.ticketsChanged(['old2']);
    expect(Object.fromEntries(e.changedTickets)).toEqual({ new: 'created', old: 'created', old2: 'changed' });
  });

  it('ignores outbound messages that were not stored (a survey not planned)', () => {
    const e = new TicketEffects();
    e.outbound([null, undefined, 'm1']);
    expect(e.outboundMessages).toEqual(['m1']);
  });
});
