import { MigrationInterface, QueryRunner } from 'typeorm';

const wd = (value: number) => ({ value, unit: 'working_days' });
const bs = (hours: number) => ({ value: hours * 3600, unit: 'business_seconds' });
const cs = (value: number) => ({ value, unit: 'calendar_seconds' });
const month = { value: 1, unit: 'months' };

/**
 * Default SLA policies (see README "SLA"). Written submissions follow the Submissions Law (Iesniegumu likums, as
 * amended from 1 March 2026): an answer within 10 working days, one month when the answer needs more information
 * or other institutions (an extension the operator applies with a reason), and a submission for another
 * institution forwarded within 5 working days. Calls and chats are service-level targets per contact (80 % within
 * 20 s / 60 s), so they are counted in wall-clock seconds and reports compare the share met with the 80 % goal.
 */
const POLICIES: Array<{
  name: string;
  description: string;
  scope?: 'case' | 'referral';
  channel: string | null;
  firstResponse: object | null;
  nextResponse: object | null;
  resolution: object | null;
  extension?: object;
  goal: number;
  anyHour?: boolean;
  actions?: object[];
}> = [
  {
    name: 'Iesniegums (e-pasts)',
    description: 'Submissions Law: answer within 10 working days; one month when more information or other institutions are needed.',
    channel: 'email',
    firstResponse: wd(10),
    nextResponse: wd(10),
    resolution: wd(10),
    extension: month,
    goal: 100,
    actions: [{ type: 'raise_priority', to: 'high' }],
  },
  {
    name: 'Iesniegums (Latvija.lv forma)',
    description: 'Submissions Law: answer within 10 working days; one month when more information or other institutions are needed.',
    channel: 'webform',
    firstResponse: wd(10),
    nextResponse: wd(10),
    resolution: wd(10),
    extension: month,
    goal: 100,
    actions: [{ type: 'raise_priority', to: 'high' }],
  },
  {
    name: 'Pāradresācija citai iestādei',
    description: 'A submission for an institution that only takes referrals is forwarded within 5 working days (Submissions Law).',
    scope: 'referral',
    channel: null,
    firstResponse: null,
    nextResponse: null,
    resolution: wd(5),
    goal: 100,
    actions: [{ type: 'raise_priority', to: 'high' }],
  },
  {
    name: 'Zvans',
    description: 'Service level: 80 % of calls answered within 20 s.',
    channel: 'voice',
    firstResponse: cs(20),
    nextResponse: null,
    resolution: null,
    goal: 80,
    anyHour: true,
  },
  {
    name: 'Tērzēšana',
    description: 'Service level: 80 % of chats answered within 60 s; the next answer in a running chat within 60 s too.',
    channel: 'chat',
    firstResponse: cs(60),
    nextResponse: cs(60),
    resolution: null,
    goal: 80,
    anyHour: true,
  },
  {
    name: 'Sociālie tīkli',
    description: 'Public messages: first answer within 4 business hours, the next within 4, resolved within 5 working days.',
    channel: 'social',
    firstResponse: bs(4),
    nextResponse: bs(4),
    resolution: wd(5),
    goal: 90,
    actions: [{ type: 'raise_priority', to: 'high' }],
  },
  {
    name: 'Klātiene (VPVKAC)',
    description: 'A counter contact is served on the spot; what is left open is finished within 10 working days.',
    channel: 'counter',
    firstResponse: bs(1),
    nextResponse: wd(10),
    resolution: wd(10),
    goal: 95,
  },
  {
    name: 'Tiešā līnija',
    description: 'A contact on a direct line, logged by staff: what is left open is finished within 10 working days.',
    channel: 'phone',
    firstResponse: bs(1),
    nextResponse: wd(10),
    resolution: wd(10),
    goal: 95,
  },
  {
    name: 'Noklusējums',
    description: 'Anything no other policy covers: the general 10-working-day answer.',
    channel: null,
    firstResponse: wd(10),
    nextResponse: wd(10),
    resolution: wd(10),
    extension: month,
    goal: 100,
  },
];

export class SeedSlaPolicies1795652000001 implements MigrationInterface {
  name = 'SeedSlaPolicies1795652000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const p of POLICIES) {
      await queryRunner.query(
        `INSERT INTO sla_policies (name, description, scope, channel, first_response, next_response, resolution, resolution_extension,
                                   warning_percent, goal_percent, breach_actions, remind_outside_hours)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 80, $9, $10, $11)`,
        [
          p.name,
          p.description,
          p.scope ?? 'case',
          p.channel,
          p.firstResponse && JSON.stringify(p.firstResponse),
          p.nextResponse && JSON.stringify(p.nextResponse),
          p.resolution && JSON.stringify(p.resolution),
          p.extension ? JSON.stringify(p.extension) : null,
          p.goal,
          JSON.stringify(p.actions ?? []),
          p.anyHour ?? false,
        ],
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM sla_policies WHERE name = ANY($1)`, [POLICIES.map((p) => p.name)]);
  }
}
