import { MigrationInterface, QueryRunner } from 'typeorm';

export class VoiceChannel1795650000000 implements MigrationInterface {
  name = 'VoiceChannel1795650000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "calls" ("call_sid" character varying(64) NOT NULL, "from_number" text NOT NULL, "to_number" text, "language" character varying(2), "path" text array NOT NULL DEFAULT '{}', "institution_code" character varying(32), "topic" text, "heard_answer" boolean NOT NULL DEFAULT false, "queue_name" character varying(64), "enqueued_at" TIMESTAMP WITH TIME ZONE, "left_queue_at" TIMESTAMP WITH TIME ZONE, "answered_at" TIMESTAMP WITH TIME ZONE, "answered_by" uuid, "choice" character varying(16), "callback_number" text, "recording_sid" character varying(64), "recording_url" text, "recording_seconds" integer, "ticket_requested_at" TIMESTAMP WITH TIME ZONE, "twilio_status" character varying(16), "outcome" character varying(24), "duration_seconds" integer, "ended_at" TIMESTAMP WITH TIME ZONE, "callback_call_sid" character varying(64), "callback_placed_at" TIMESTAMP WITH TIME ZONE, "callback_placed_by" uuid, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c088e5c214c6207c43996ac6383" PRIMARY KEY ("call_sid"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_calls_waiting" ON "calls" ("queue_name", "enqueued_at") WHERE answered_at IS NULL AND left_queue_at IS NULL AND ended_at IS NULL AND enqueued_at IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "ivr_nodes" ("key" character varying(64) NOT NULL, "parent_key" character varying(64), "digit" character varying(1), "kind" character varying(16) NOT NULL, "institution_code" character varying(32), "topic" text, "title" jsonb NOT NULL DEFAULT '{}', "prompt" jsonb NOT NULL DEFAULT '{}', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c34b57f2c55bdc064228ba00460" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_ivr_nodes_parent" ON "ivr_nodes" ("parent_key") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_ivr_nodes_parent"`);
    await queryRunner.query(`DROP TABLE "ivr_nodes"`);
    await queryRunner.query(`DROP INDEX "idx_calls_waiting"`);
    await queryRunner.query(`DROP TABLE "calls"`);
  }
}
