import { MigrationInterface, QueryRunner } from 'typeorm';

export class BusinessCalendar1795643501273 implements MigrationInterface {
  name = 'BusinessCalendar1795643501273';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "business_hours" ("centre" character varying(32) NOT NULL, "hours" jsonb NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2db7c5de17e5ad5916949d2600b" PRIMARY KEY ("centre"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "calendar_adjustments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" character varying(16) NOT NULL, "date" date NOT NULL, "worked_on" date, "name" text, "weekend_moves" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_calendar_adjustments_kind_date" UNIQUE ("kind", "date"), CONSTRAINT "PK_f86f20f78c6572da8db55b59e31" PRIMARY KEY ("id"))`,
    );
    // Seed: the decisions known for certain (Cabinet transfers of 2026, the one-off holidays of 2023) and the
    // remote centre's hours. Later years are added through /v1/admin/calendar as orders are published.
    await queryRunner.query(
      `INSERT INTO calendar_adjustments (kind, date, worked_on, name, weekend_moves) VALUES
             ('holiday', '2023-05-29', NULL, 'Pasaules čempionāta hokejā bronzas medaļa', false),
             ('holiday', '2023-07-09', NULL, 'Dziesmu un deju svētku noslēguma diena', true),
             ('transfer', '2026-01-02', '2026-01-17', 'MK rīkojums: 2. janvāra darba diena pārcelta uz 17. janvāri', false),
             ('transfer', '2026-06-22', '2026-06-27', 'MK rīkojums: 22. jūnija darba diena pārcelta uz 27. jūniju', false)
             ON CONFLICT DO NOTHING`,
    );
    await queryRunner.query(`INSERT INTO business_hours (centre, hours) VALUES ('VPPPD', $1::jsonb) ON CONFLICT DO NOTHING`, [
      JSON.stringify({
        mon: [['08:30', '17:00']],
        tue: [['08:30', '17:00']],
        wed: [['08:30', '17:00']],
        thu: [['08:30', '17:00']],
        fri: [['08:30', '15:30']],
        sat: [],
        sun: [],
      }),
    ]);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "calendar_adjustments"`);
    await queryRunner.query(`DROP TABLE "business_hours"`);
  }
}
