import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Follow-ups: a ticket snoozed until a time or the customer's reply, agents' reminders on tickets, and the
 * auto-close policy for tickets left pending the customer, with the notices it sent before closing.
 */
export class FollowUps1795682000000 implements MigrationInterface {
  name = 'FollowUps1795682000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "tickets" ADD "snoozed_at" TIMESTAMP WITH TIME ZONE, ADD "snoozed_until" TIMESTAMP WITH TIME ZONE,
         ADD "snooze_until_reply" boolean NOT NULL DEFAULT false, ADD "snooze_note" text, ADD "snoozed_by_id" uuid,
         ADD "pending_customer_since" TIMESTAMP WITH TIME ZONE`,
    );
    // The wake-up sweep looks only at snoozed tickets with a time; the auto-close sweep only at those pending the customer.
    await queryRunner.query(
      `CREATE INDEX "ix_tickets_snoozed_until" ON "tickets" ("snoozed_until") WHERE snoozed_at IS NOT NULL AND snoozed_until IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_tickets_pending_customer_since" ON "tickets" ("pending_customer_since") WHERE status = 'pending_customer'`,
    );
    // Tickets already waiting on the customer start their count at the upgrade: none is closed the moment it lands.
    await queryRunner.query(
      `UPDATE "tickets" SET pending_customer_since = date_trunc('milliseconds', now()) WHERE status = 'pending_customer'`,
    );

    await queryRunner.query(
      `CREATE TABLE "ticket_reminders" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "ticket_id" uuid NOT NULL, "agent_id" uuid NOT NULL,
         "at" TIMESTAMP WITH TIME ZONE NOT NULL, "note" text NOT NULL, "fired_at" TIMESTAMP WITH TIME ZONE, "dismissed_at" TIMESTAMP WITH TIME ZONE,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ticket_reminders" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "ticket_reminders" ADD CONSTRAINT "FK_ticket_reminders_ticket" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE`,
    );
    await queryRunner.query(
      `ALTER TABLE "ticket_reminders" ADD CONSTRAINT "FK_ticket_reminders_agent" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE`,
    );
    await queryRunner.query(`CREATE INDEX "ix_ticket_reminders_agent" ON "ticket_reminders" ("agent_id", "at") WHERE dismissed_at IS NULL`);
    await queryRunner.query(
      `CREATE INDEX "ix_ticket_reminders_due" ON "ticket_reminders" ("at") WHERE fired_at IS NULL AND dismissed_at IS NULL`,
    );

    await queryRunner.query(
      `CREATE TABLE "auto_close_policies" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "institution_id" uuid, "enabled" boolean NOT NULL,
         "working_days" smallint NOT NULL, "updated_by_id" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "PK_auto_close_policies" PRIMARY KEY ("id"), CONSTRAINT "CHK_auto_close_days" CHECK (working_days BETWEEN 1 AND 60))`,
    );
    await queryRunner.query(
      `ALTER TABLE "auto_close_policies" ADD CONSTRAINT "FK_auto_close_policies_institution" FOREIGN KEY ("institution_id") REFERENCES "institutions"("id") ON DELETE CASCADE`,
    );
    // One per institution and one global default (institution_id NULL).
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_auto_close_policies_institution" ON "auto_close_policies" (coalesce(institution_id, '00000000-0000-0000-0000-000000000000'::uuid))`,
    );
    // On, 10 working days: the Submissions Law's own term for an answer, given to the citizen in turn; they reopen by replying.
    await queryRunner.query(`INSERT INTO "auto_close_policies" (institution_id, enabled, working_days) VALUES (NULL, true, 10)`);

    // One notice per stretch pending the customer: a crash between notice and close neither sends twice nor forgets.
    await queryRunner.query(
      `CREATE TABLE "auto_close_notices" ("ticket_id" uuid NOT NULL, "pending_since" TIMESTAMP WITH TIME ZONE NOT NULL, "message_id" uuid,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "closed_at" TIMESTAMP WITH TIME ZONE, "cancelled_at" TIMESTAMP WITH TIME ZONE,
         CONSTRAINT "PK_auto_close_notices" PRIMARY KEY ("ticket_id", "pending_since"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "auto_close_notices" ADD CONSTRAINT "FK_auto_close_notices_ticket" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_auto_close_notices_open" ON "auto_close_notices" ("created_at") WHERE closed_at IS NULL AND cancelled_at IS NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "auto_close_notices"`);
    await queryRunner.query(`DROP TABLE "auto_close_policies"`);
    await queryRunner.query(`DROP TABLE "ticket_reminders"`);
    await queryRunner.query(`DROP INDEX "ix_tickets_pending_customer_since"`);
    await queryRunner.query(`DROP INDEX "ix_tickets_snoozed_until"`);
    await queryRunner.query(
      `ALTER TABLE "tickets" DROP COLUMN "pending_customer_since", DROP COLUMN "snoozed_by_id", DROP COLUMN "snooze_note",
         DROP COLUMN "snooze_until_reply", DROP COLUMN "snoozed_until", DROP COLUMN "snoozed_at"`,
    );
  }
}
