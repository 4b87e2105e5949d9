import { MigrationInterface, QueryRunner } from 'typeorm';

export class Sla1795652000000 implements MigrationInterface {
  name = 'Sla1795652000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sla_clock_events" ("id" BIGSERIAL NOT NULL, "ticket_id" uuid NOT NULL, "metric" character varying(16) NOT NULL, "kind" character varying(16) NOT NULL, "policy_id" uuid, "cycle" integer NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE, "consumed_ms" bigint NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "detail" jsonb NOT NULL DEFAULT '{}', "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8f777a3b41ee7787bdde1e1fe81" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_sla_clock_events_ticket" ON "sla_clock_events" ("ticket_id", "at") `);
    await queryRunner.query(
      `CREATE TABLE "sla_clocks" ("ticket_id" uuid NOT NULL, "metric" character varying(16) NOT NULL, "policy_id" uuid, "status" character varying(16) NOT NULL, "measure" character varying(16) NOT NULL, "cycle" integer NOT NULL DEFAULT '1', "version" integer NOT NULL DEFAULT '1', "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "budget_ms" bigint NOT NULL, "consumed_ms" bigint NOT NULL DEFAULT '0', "running_since" TIMESTAMP WITH TIME ZONE, "extended" boolean NOT NULL DEFAULT false, "warning_at" TIMESTAMP WITH TIME ZONE, "due_at" TIMESTAMP WITH TIME ZONE, "warning_fire_at" TIMESTAMP WITH TIME ZONE, "breach_fire_at" TIMESTAMP WITH TIME ZONE, "warned_at" TIMESTAMP WITH TIME ZONE, "breached_at" TIMESTAMP WITH TIME ZONE, "met_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_d2e333e3975f34107496908e131" PRIMARY KEY ("ticket_id", "metric"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_sla_clocks_pending_breach" ON "sla_clocks" ("breach_fire_at") WHERE status = 'running' AND breached_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_sla_clocks_pending_warning" ON "sla_clocks" ("warning_fire_at") WHERE status = 'running' AND warned_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "sla_events" ("id" BIGSERIAL NOT NULL, "ticket_id" uuid NOT NULL, "policy_id" uuid, "metric" character varying(16) NOT NULL, "kind" character varying(16) NOT NULL, "cycle" integer NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "fired_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actions" jsonb NOT NULL DEFAULT '[]', CONSTRAINT "uq_sla_events_once" UNIQUE ("ticket_id", "metric", "kind", "cycle"), CONSTRAINT "PK_fe6fa8c1019607ffdf8d79a65ee" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_sla_events_at" ON "sla_events" ("at") `);
    await queryRunner.query(
      `CREATE TABLE "sla_policies" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "description" text, "scope" character varying(16) NOT NULL DEFAULT 'case', "channel" character varying(16), "level" smallint, "priority" character varying(8), "institution_id" uuid, "first_response" jsonb, "next_response" jsonb, "resolution" jsonb, "resolution_extension" jsonb, "warning_percent" smallint NOT NULL DEFAULT '80', "goal_percent" smallint NOT NULL DEFAULT '100', "breach_actions" jsonb NOT NULL DEFAULT '[]', "remind_outside_hours" boolean NOT NULL DEFAULT false, "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_41b6803cef982534243a67b6302" PRIMARY KEY ("id"))`,
    );
    // One policy per combination of criteria; a missing criterion ("any") counts as one value.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_sla_policies_criteria" ON "sla_policies" ("scope", coalesce("channel", ''), coalesce("level", -1), coalesce("priority", ''), coalesce("institution_id", '00000000-0000-0000-0000-000000000000'::uuid))`,
    );
    await queryRunner.query(`ALTER TABLE "tickets" ADD "sla_policy_id" uuid`);
    await queryRunner.query(`ALTER TABLE "tickets" ADD "sla_state" character varying(16)`);
    await queryRunner.query(`ALTER TABLE "tickets" ADD "sla_due_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "tickets" ADD "sla_warning_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "tickets" ADD "first_response_due_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "tickets" ADD "next_response_due_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "tickets" ADD "resolution_due_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "tickets" ADD "sla_breached_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "tickets" ADD "csat_score" smallint`);
    await queryRunner.query(`ALTER TABLE "tickets" ADD "csat_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "tickets" ADD "csat_channel" character varying(16)`);
    await queryRunner.query(`ALTER TABLE "tickets" ADD "csat_comment" text`);
    await queryRunner.query(`CREATE INDEX "ix_tickets_sla_due" ON "tickets" ("sla_due_at", "id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_tickets_sla_due"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "csat_comment"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "csat_channel"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "csat_at"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "csat_score"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "sla_breached_at"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "resolution_due_at"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "next_response_due_at"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "first_response_due_at"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "sla_warning_at"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "sla_due_at"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "sla_state"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "sla_policy_id"`);
    await queryRunner.query(`DROP INDEX "uq_sla_policies_criteria"`);
    await queryRunner.query(`DROP TABLE "sla_policies"`);
    await queryRunner.query(`DROP INDEX "ix_sla_events_at"`);
    await queryRunner.query(`DROP TABLE "sla_events"`);
    await queryRunner.query(`DROP INDEX "ix_sla_clocks_pending_warning"`);
    await queryRunner.query(`DROP INDEX "ix_sla_clocks_pending_breach"`);
    await queryRunner.query(`DROP TABLE "sla_clocks"`);
    await queryRunner.query(`DROP INDEX "ix_sla_clock_events_ticket"`);
    await queryRunner.query(`DROP TABLE "sla_clock_events"`);
  }
}
