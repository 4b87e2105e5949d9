import { decideRouting, RoutingInstitution, RoutingQueue, RoutingRuleRow } from './routing-decision';

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

  describe('routing rules as data', () => {
    const withRu = [
      ...queues,
      { id: 'q-vid-ru', institution_id: 'i-vid', level: 1, is_general: false },
      { id: 'q-chat', institution_id: null, level: 1, is_general: false },
    ];
    const rule = (r: Partial<RoutingRuleRow> & { queue_id: string }): RoutingRuleRow => ({
      institution_id: null,
      language: null,
      channel: null,
      topic: null,
      ...r,
    });
    const contact = { channel: 'email', language: 'lv', topic: null as string | null };

    it('the first rule whose every condition matches wins; an empty condition matches anything', () => {
      const rules = [
        rule({ institution_id: 'i-vid', language: 'ru', queue_id: 'q-vid-ru' }),
        rule({ channel: 'chat', queue_id: 'q-chat' }),
      ];
      expect(decideRouting('VID', institutions, withRu, rules, { ...contact, language: 'ru' }).queueId).toBe('q-vid-ru');
      expect(decideRouting('VID', institutions, withRu, rules, contact).queueId).toBe('q-vid-1');
      expect(decideRouting(undefined, institutions, withRu, rules, { ...contact, channel: 'chat', language: 'ru' }).queueId).toBe('q-chat');
    });

    it('a topic rule matches regardless of case and gives the ticket to the institution of its queue', () => {
      const rules = [rule({ topic: 'Deklarācijas', queue_id: 'q-vid-ru' })];
      const d = decideRouting(undefined, institutions, withRu, rules, { ...contact, topic: 'deklarācijas ' });
      expect(d).toMatchObject({ queueId: 'q-vid-ru', institutionId: 'i-vid', level: 1, reason: 'routed' });
    });

    it('never overrides a referral: a referral-only institution gets no case whatever the rules say', () => {
      const d = decideRouting('VP', institutions, withRu, [rule({ queue_id: 'q-chat' })], contact);
      expect(d.reason).toBe('referral');
      expect(d.queueId).toBe('q-general');
    });
  });
});
