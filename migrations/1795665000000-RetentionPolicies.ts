import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention as data: how long after closing each kind of content is kept. The seeded periods are the defaults the
 * centre asked for (issue 16): consultations 1 year, applications 5 years, call recordings 90 days, chat transcripts
 * 1 year, audit events 5 years. They are a starting point, to be set to the centre's approved records schedule
 * (lietu nomenklatūra) by an admin, not a reading of the law.
 */
export class RetentionPolicies1795665000000 implements MigrationInterface {
  name = 'RetentionPolicies1795665000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "retention_policies" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "target" character varying(24) NOT NULL, "ticket_kind" character varying(16), "channel" character varying(16), "keep_days" integer NOT NULL, "basis" text NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_retention_policies" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`ALTER TABLE "tickets" ADD "content_erased_at" TIMESTAMP WITH TIME ZONE`);
    const basis = 'default of the centre (issue 16); set to the approved records schedule';
    await queryRunner.query(
      `INSERT INTO "retention_policies" ("target", "ticket_kind", "channel", "keep_days", "basis") VALUES
        ('ticket_content', 'consultation', NULL, 365, $1),
        ('ticket_content', 'question', NULL, 365, $1),
        ('ticket_content', 'complaint', NULL, 365, $1),
        ('ticket_content', 'suggestion', NULL, 365, $1),
        ('ticket_content', 'application', NULL, 1826, $1),
        ('ticket_content', NULL, 'chat', 365, $1),
        ('call_recordings', NULL, 'voice', 90, $1),
        ('audit_events', NULL, NULL, 1826, $1)`,
      [basis],
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "content_erased_at"`);
    await queryRunner.query(`DROP TABLE "retention_policies"`);
  }
}
