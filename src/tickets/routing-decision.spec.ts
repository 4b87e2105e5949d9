import { decideRouting, RoutingInstitution, RoutingQueue } from './routing-decision';

const institutions = new Map<string, RoutingInstitution>([
  ['VID', { id: 'i-vid', code: 'VID', accepts_cases: true, referral_info: null }],
  ['VSAA', { id: 'i-vsaa', code: 'VSAA', accepts_cases: true, referral_info: null }],
  ['VP', { id: 'i-vp', code: 'VP', accepts_cases: false, referral_info: '110 / 112' }],
]);
const queues: RoutingQueue[] = [
  { id: 'q-general', institution_id: null, level: 1, is_general: true },
  { id: 'q-vid-2', institution_id: 'i-vid', level: 2, is_general: false },
  { id: 'q-vid-1', institution_id: 'i-vid', level: 1, is_general: false },
];

describe('decideRouting', () => {
  it("sends a contact for an institution to that institution's lowest-level queue", () => {
    expect(decideRouting('vid', institutions, queues)).toEqual({
      institutionId: 'i-vid',
      referredInstitutionId: null,
      queueId: 'q-vid-1',
      level: 1,
      reason: 'routed',
      summary: null,
    });
  });

  it('keeps the institution but uses the general queue when the institution has no queue of its own', () => {
    const d = decideRouting('VSAA', institutions, queues);
    expect(d.institutionId).toBe('i-vsaa');
    expect(d.queueId).toBe('q-general');
  });

  it('routes a contact for a referral-only institution on instead of opening a case for it', () => {
    const d = decideRouting('VP', institutions, queues);
    expect(d.institutionId).toBeNull();
    expect(d.referredInstitutionId).toBe('i-vp');
    expect(d.queueId).toBe('q-general');
    expect(d.reason).toBe('referral');
    expect(d.summary).toBe('VP only takes referrals; route the contact on: 110 / 112');
  });

  it('uses the general queue when no institution is named or it is unknown', () => {
    expect(decideRouting(undefined, institutions, queues).queueId).toBe('q-general');
    expect(decideRouting('NOPE', institutions, queues).institutionId).toBeNull();
  });

  it('fails loudly when there is no general queue', () => {
    expect(() => decideRouting(undefined, institutions, queues.slice(1))).toThrow('no general queue');
  });
});
