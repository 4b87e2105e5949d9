import { MigrationInterface, QueryRunner } from 'typeorm';

/** TOTP second factor per agent, and the hashes of their one-time recovery codes. */
export class TotpSecondFactor1795660000000 implements MigrationInterface {
  name = 'TotpSecondFactor1795660000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "agent_totp" ("agent_id" uuid NOT NULL, "secret" text NOT NULL, "confirmed_at" TIMESTAMP WITH TIME ZONE, "last_time_step" bigint, "failed_attempts" integer NOT NULL DEFAULT '0', "locked_until" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_881c82a893d19cdd075c08c8034" PRIMARY KEY ("agent_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "agent_recovery_codes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "agent_id" uuid NOT NULL, "code_hash" character varying(64) NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8051d9a7abc9503e321c2d8d413" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "idx_agent_recovery_codes_hash" ON "agent_recovery_codes" ("agent_id", "code_hash") `);
    await queryRunner.query(
      `ALTER TABLE "agent_totp" ADD CONSTRAINT "FK_881c82a893d19cdd075c08c8034" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "agent_recovery_codes" ADD CONSTRAINT "FK_5608a114f553e755e8affee7573" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agent_recovery_codes" DROP CONSTRAINT "FK_5608a114f553e755e8affee7573"`);
    await queryRunner.query(`ALTER TABLE "agent_totp" DROP CONSTRAINT "FK_881c82a893d19cdd075c08c8034"`);
    await queryRunner.query(`DROP INDEX "idx_agent_recovery_codes_hash"`);
    await queryRunner.query(`DROP TABLE "agent_recovery_codes"`);
    await queryRunner.query(`DROP TABLE "agent_totp"`);
  }
}
