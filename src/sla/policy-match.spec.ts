import { choosePolicy, PolicyRow } from './policy-match';

const base: Omit<PolicyRow, 'id' | 'name'> = {
  scope: 'case',
  channel: null,
  level: null,
  priority: null,
  institutionId: null,
  firstResponse: null,
  nextResponse: null,
  resolution: { value: 10, unit: 'working_days' },
  resolutionExtension: null,
  warningPercent: 80,
  goalPercent: 100,
  breachActions: [],
  remindOutsideHours: false,
  active: true,
};
const policy = (name: string, criteria: Partial<PolicyRow>): PolicyRow => ({ ...base, id: name, name, ...criteria });

describe('choosePolicy', () => {
  const policies = [
    policy('default', {}),
    policy('email', { channel: 'email' }),
    policy('email-l2', { channel: 'email', level: 2 }),
    policy('email-l2-urgent', { channel: 'email', level: 2, priority: 'urgent' }),
    policy('vid', { institutionId: 'vid' }),
    policy('referral', { scope: 'referral' }),
    policy('inactive-chat', { channel: 'chat', active: false }),
  ];
  const ticket = { channel: 'email', level: 1, priority: 'normal', institutionId: null, referred: false };

  it('takes the most specific match', () => {
    expect(choosePolicy(policies, ticket)?.name).toBe('email');
    expect(choosePolicy(policies, { ...ticket, level: 2 })?.name).toBe('email-l2');
    expect(choosePolicy(policies, { ...ticket, level: 2, priority: 'urgent' })?.name).toBe('email-l2-urgent');
  });

  it('lets an institution policy win over channel, level and priority together', () => {
    expect(choosePolicy(policies, { ...ticket, level: 2, priority: 'urgent', institutionId: 'vid' })?.name).toBe('vid');
  });

  it('falls back to the catch-all and skips inactive policies', () => {
    expect(choosePolicy(policies, { ...ticket, channel: 'chat' })?.name).toBe('default');
  });

  it('uses referral policies for referrals, case policies when there is none', () => {
    expect(choosePolicy(policies, { ...ticket, referred: true })?.name).toBe('referral');
    expect(
      choosePolicy(
        policies.filter((p) => p.scope !== 'referral'),
        { ...ticket, referred: true },
      )?.name,
    ).toBe('email');
  });
});
