import { AvailableAgent, channelsWithRoom, planAssignments, WaitingTicket } from './assignment-plan';

const VSAA = 'inst-vsaa';
const VID = 'inst-vid';

const ticket = (id: string, over: Partial<WaitingTicket> = {}): WaitingTicket => ({
  id,
  channel: 'email',
  language: 'lv',
  topic: null,
  institutionId: null,
  level: 1,
  strategy: 'least_loaded',
  ...over,
});

const agent = (id: string, over: Partial<AvailableAgent> = {}): AvailableAgent => ({
  id,
  roles: ['operator'],
  institutionIds: [],
  languages: ['lv'],
  skills: [],
  capacity: { email: 10, chat: 3, voice: 1 },
  load: {},
  lastAssignedAt: null,
  ...over,
});

describe('planAssignments', () => {
  it('gives the oldest work first and never more than the capacity for the channel', () => {
    const plan = planAssignments(
      [ticket('t1', { channel: 'chat' }), ticket('t2', { channel: 'chat' }), ticket('t3', { channel: 'chat' })],
      [agent('a', { capacity: { chat: 1 } }), agent('b', { capacity: { chat: 1 } })],
    );
    expect(plan.map((p) => p.ticketId)).toEqual(['t1', 't2']);
    expect(new Set(plan.map((p) => p.agentId))).toEqual(new Set(['a', 'b']));
  });

  it('counts work the agent already holds', () => {
    const plan = planAssignments([ticket('t1', { channel: 'voice' })], [agent('busy', { load: { voice: 1 } }), agent('free')]);
    expect(plan).toEqual([{ ticketId: 't1', agentId: 'free' }]);
  });

  it('a channel missing from the capacity is never given', () => {
    expect(planAssignments([ticket('t1', { channel: 'social' })], [agent('a')])).toEqual([]);
  });

  it('least-loaded compares the share of capacity in use', () => {
    const plan = planAssignments(
      [ticket('t1')],
      [
        agent('third-full', { capacity: { email: 3 }, load: { email: 1 } }),
        agent('fifth-full', { capacity: { email: 10 }, load: { email: 2 } }),
      ],
    );
    expect(plan[0].agentId).toBe('fifth-full');
  });

  it('round-robin gives work to the agent who got some longest ago, and rotates within one plan', () => {
    const plan = planAssignments(
      [ticket('t1', { strategy: 'round_robin' }), ticket('t2', { strategy: 'round_robin' }), ticket('t3', { strategy: 'round_robin' })],
      [
        agent('recent', { lastAssignedAt: new Date('2026-11-25T10:00:00Z') }),
        agent('earlier', { lastAssignedAt: new Date('2026-11-25T09:00:00Z') }),
      ],
      new Date('2026-11-25T11:00:00Z'),
    );
    expect(plan.map((p) => p.agentId)).toEqual(['earlier', 'recent', 'earlier']);
  });

  it('skills: only agents who know the topic, case-insensitively; a ticket without a topic goes to anyone', () => {
    const agents = [agent('pensions', { skills: ['Pensijas'] }), agent('taxes', { skills: ['nodokļi'] })];
    expect(planAssignments([ticket('t1', { strategy: 'skills', topic: 'pensijas' })], agents)).toEqual([
      { ticketId: 't1', agentId: 'pensions' },
    ]);
    expect(planAssignments([ticket('t2', { strategy: 'skills', topic: 'būvniecība' })], agents)).toEqual([]);
    expect(planAssignments([ticket('t3', { strategy: 'skills' })], agents)).toHaveLength(1);
  });

  it('the agent must speak the language of the ticket', () => {
    expect(planAssignments([ticket('t1', { language: 'ru' })], [agent('lv-only')])).toEqual([]);
    expect(
      planAssignments([ticket('t1', { language: 'ru' })], [agent('lv-only'), agent('both', { languages: ['lv', 'ru'] })])[0].agentId,
    ).toBe('both');
  });

  it('levels are worked by their role, and levels 2 and 3 only within the agent’s institutions', () => {
    const specialist = agent('vsaa-specialist', { roles: ['specialist'], institutionIds: [VSAA] });
    const expert = agent('vsaa-expert', { roles: ['expert'], institutionIds: [VSAA] });
    const operator = agent('operator');
    const agents = [specialist, expert, operator];
    expect(planAssignments([ticket('l2', { level: 2, institutionId: VSAA })], agents)[0].agentId).toBe('vsaa-specialist');
    expect(planAssignments([ticket('l3', { level: 3, institutionId: VSAA })], agents)[0].agentId).toBe('vsaa-expert');
    expect(planAssignments([ticket('other', { level: 2, institutionId: VID })], agents)).toEqual([]);
    expect(planAssignments([ticket('l1', { level: 1, institutionId: VID })], agents)[0].agentId).toBe('operator');
  });

  it('manual queues are left to people', () => {
    expect(planAssignments([ticket('t1', { strategy: 'manual' })], [agent('a')])).toEqual([]);
  });
});

describe('channelsWithRoom', () => {
  it('names each channel on which someone still has room, once', () => {
    expect(
      channelsWithRoom([
        agent('a', { capacity: { email: 2, chat: 1 }, load: { email: 2 } }),
        agent('b', { capacity: { chat: 1, voice: 1 }, load: { voice: 1 } }),
      ]),
    ).toEqual(['chat']);
  });

  it('is empty when nobody is online or everyone is full', () => {
    expect(channelsWithRoom([])).toEqual([]);
    expect(channelsWithRoom([agent('full', { capacity: { email: 1 }, load: { email: 1 } })])).toEqual([]);
    expect(channelsWithRoom([agent('none', { capacity: {} })])).toEqual([]);
  });
});
