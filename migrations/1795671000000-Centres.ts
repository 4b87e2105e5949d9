import { MigrationInterface, QueryRunner } from 'typeorm';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
type Spans = Array<[string, string]>;

/** A week with the given hours on Monday–Thursday and Friday, closed at the weekend. */
function week(monToThu: Spans, fri: Spans, mon: Spans = monToThu): Record<string, Spans> {
  return Object.fromEntries([...WEEKDAYS.map((d) => [d, d === 'fri' ? fri : d === 'mon' ? mon : monToThu]), ['sat', []], ['sun', []]]);
}

/**
 * VPVKAC one-stop centres seeded with a week of their own (a lunch break, a long Monday); each centre's admin
 * keeps them true through /v1/admin/calendar/hours.
 */
const VPVKAC: Array<{ code: string; name: string; town: string; hours: Record<string, Spans> }> = [
  {
    code: 'VPVKAC-CESIS',
    name: 'VPVKAC Cēsis',
    town: 'Cēsis',
    hours: week(
      [
        ['08:30', '12:00'],
        ['12:30', '17:00'],
      ],
      [
        ['08:30', '12:00'],
        ['12:30', '15:00'],
      ],
      [
        ['08:30', '12:00'],
        ['12:30', '18:00'],
      ],
    ),
  },
  {
    code: 'VPVKAC-SIGULDA',
    name: 'VPVKAC Sigulda',
    town: 'Sigulda',
    hours: week(
      [
        ['08:00', '12:00'],
        ['12:30', '17:00'],
      ],
      [
        ['08:00', '12:00'],
        ['12:30', '16:00'],
      ],
    ),
  },
  {
    code: 'VPVKAC-TALSI',
    name: 'VPVKAC Talsi',
    town: 'Talsi',
    hours: week(
      [
        ['08:00', '12:00'],
        ['13:00', '17:00'],
      ],
      [
        ['08:00', '12:00'],
        ['13:00', '16:00'],
      ],
      [
        ['08:00', '12:00'],
        ['13:00', '18:00'],
      ],
    ),
  },
  {
    code: 'VPVKAC-KULDIGA',
    name: 'VPVKAC Kuldīga',
    town: 'Kuldīga',
    hours: week(
      [
        ['08:30', '12:00'],
        ['12:30', '17:00'],
      ],
      [
        ['08:30', '12:00'],
        ['12:30', '15:30'],
      ],
    ),
  },
];

/** Lower case, Latvian letters as base letters, other runs as one space: libs/centre-location's normalisation in SQL. */
const norm = (x: string) => `trim(regexp_replace(translate(lower(${x}), 'āčēģīķļņšūžōŗ', 'acegiklnsuzor'), '[^a-z0-9]+', ' ', 'g'))`;

/**
 * Centres as a list (the remote VPPPD line and VPVKAC centres), each agent working for one, and counter contacts
 * naming theirs: the funding report counts each centre's own work.
 */
export class Centres1795671000000 implements MigrationInterface {
  name = 'Centres1795671000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "centres" ("code" character varying(32) NOT NULL, "name" text NOT NULL, "kind" character varying(16) NOT NULL DEFAULT 'vpvkac', "town" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_centres_code" PRIMARY KEY ("code"))`,
    );
    await queryRunner.query(`INSERT INTO centres (code, name, kind) VALUES ('VPPPD', 'VPPPD attālinātā apkalpošana', 'remote')`);
    for (const c of VPVKAC) {
      await queryRunner.query(`INSERT INTO centres (code, name, kind, town) VALUES ($1, $2, 'vpvkac', $3)`, [c.code, c.name, c.town]);
      await queryRunner.query(`INSERT INTO business_hours (centre, hours) VALUES ($1, $2::jsonb) ON CONFLICT DO NOTHING`, [
        c.code,
        JSON.stringify(c.hours),
      ]);
    }
    // Centres that already had hours set by an admin stay centres.
    await queryRunner.query(
      `INSERT INTO centres (code, name, kind) SELECT centre, centre, 'vpvkac' FROM business_hours ON CONFLICT DO NOTHING`,
    );

    await queryRunner.query(`ALTER TABLE "agents" ADD "centre" character varying(32) NOT NULL DEFAULT 'VPPPD'`);
    await queryRunner.query(
      `ALTER TABLE "agents" ADD CONSTRAINT "FK_agents_centre" FOREIGN KEY ("centre") REFERENCES "centres"("code") ON DELETE RESTRICT ON UPDATE CASCADE`,
    );

    // Counter contacts logged before centres were a list: a location that names exactly one centre names it.
    await queryRunner.query(
      `UPDATE messages m SET meta = m.meta || jsonb_build_object('centre', x.code)
       FROM (SELECT m2.id, min(c.code) AS code FROM messages m2 JOIN centres c
               ON ${norm(`split_part(m2.meta->>'location', ',', 1)`)} IN (${norm('c.code')}, ${norm('c.name')}, ${norm('c.town')}, 'vpvkac ' || ${norm('c.town')})
             WHERE m2.channel IN ('counter', 'phone') AND m2.meta ? 'location' AND NOT m2.meta ? 'centre'
             GROUP BY m2.id HAVING count(*) = 1) x
       WHERE m.id = x.id`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE messages SET meta = meta - 'centre' WHERE meta ? 'centre'`);
    await queryRunner.query(`ALTER TABLE "agents" DROP CONSTRAINT "FK_agents_centre"`);
    await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "centre"`);
    await queryRunner.query(`DELETE FROM business_hours WHERE centre = ANY($1::text[])`, [VPVKAC.map((c) => c.code)]);
    await queryRunner.query(`DROP TABLE "centres"`);
  }
}
