import { MigrationInterface, QueryRunner } from 'typeorm';

export class RoutingRulesAndPresence1795649000000 implements MigrationInterface {
  name = 'RoutingRulesAndPresence1795649000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "agent_presence" ("agent_id" uuid NOT NULL, "state" character varying(8) NOT NULL DEFAULT 'offline', "state_since" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_assigned_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_05e7fab4b28515ad5de4d0b91b6" PRIMARY KEY ("agent_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "routing_rules" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "position" integer NOT NULL, "institution_id" uuid, "language" character varying(2), "channel" character varying(16), "topic" text, "queue_id" uuid NOT NULL, "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b744c5cc71053ea4d3fc8a860c2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_routing_rules_position" ON "routing_rules" ("position") `);
    await queryRunner.query(`ALTER TABLE "queues" ADD "strategy" character varying(16) NOT NULL DEFAULT 'manual'`);
    await queryRunner.query(
      `ALTER TABLE "agent_presence" ADD CONSTRAINT "FK_05e7fab4b28515ad5de4d0b91b6" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "routing_rules" ADD CONSTRAINT "FK_d14eabf61bfcf6696b838bb55d8" FOREIGN KEY ("institution_id") REFERENCES "institutions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "routing_rules" ADD CONSTRAINT "FK_f54e6b3c779a83a29ea5ea1f5cc" FOREIGN KEY ("queue_id") REFERENCES "queues"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_tickets_waiting" ON "tickets" ("queue_id", "created_at") WHERE assignee_id IS NULL AND status IN ('new', 'queued')`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_tickets_assignee_open" ON "tickets" ("assignee_id", "channel") WHERE assignee_id IS NOT NULL AND status NOT IN ('resolved', 'closed')`,
    );
    // Level 1 takes work as it comes (a person is online to answer it); levels 2 and 3 pick their cases.
    await queryRunner.query(`UPDATE "queues" SET "strategy" = 'least_loaded' WHERE "level" = 1`);
    // Everyone already on staff starts offline; their socket brings them online.
    await queryRunner.query(`INSERT INTO "agent_presence" ("agent_id") SELECT "id" FROM "agents"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_tickets_assignee_open"`);
    await queryRunner.query(`DROP INDEX "ix_tickets_waiting"`);
    await queryRunner.query(`ALTER TABLE "routing_rules" DROP CONSTRAINT "FK_f54e6b3c779a83a29ea5ea1f5cc"`);
    await queryRunner.query(`ALTER TABLE "routing_rules" DROP CONSTRAINT "FK_d14eabf61bfcf6696b838bb55d8"`);
    await queryRunner.query(`ALTER TABLE "agent_presence" DROP CONSTRAINT "FK_05e7fab4b28515ad5de4d0b91b6"`);
    await queryRunner.query(`ALTER TABLE "queues" DROP COLUMN "strategy"`);
    await queryRunner.query(`DROP INDEX "ix_routing_rules_position"`);
    await queryRunner.query(`DROP TABLE "routing_rules"`);
    await queryRunner.query(`DROP TABLE "agent_presence"`);
  }
}
