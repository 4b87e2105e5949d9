import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Presence history: each stretch of time an agent spent online or away. Agents online at the time of the upgrade
 * get their open stretch from their current state, so the history has no gap for them.
 */
export class PresencePeriods1795656000000 implements MigrationInterface {
  name = 'PresencePeriods1795656000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "presence_periods" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "agent_id" uuid NOT NULL, "state" character varying(8) NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "ended_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_cf8726025c491de23d87f75fc28" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_presence_periods_ended" ON "presence_periods" ("ended_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "idx_presence_periods_open" ON "presence_periods" ("agent_id") WHERE ended_at IS NULL`);
    await queryRunner.query(
      `ALTER TABLE "presence_periods" ADD CONSTRAINT "FK_8bde14311e13d5997daa68714e7" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `INSERT INTO "presence_periods" ("agent_id", "state", "started_at") SELECT "agent_id", "state", "state_since" FROM "agent_presence" WHERE "state" <> 'offline'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "presence_periods" DROP CONSTRAINT "FK_8bde14311e13d5997daa68714e7"`);
    await queryRunner.query(`DROP INDEX "idx_presence_periods_open"`);
    await queryRunner.query(`DROP INDEX "idx_presence_periods_ended"`);
    await queryRunner.query(`DROP TABLE "presence_periods"`);
  }
}
