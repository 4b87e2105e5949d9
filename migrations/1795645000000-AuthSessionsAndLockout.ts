import { MigrationInterface, QueryRunner } from 'typeorm';

export class AuthSessionsAndLockout1795645000000 implements MigrationInterface {
  name = 'AuthSessionsAndLockout1795645000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sessions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "agent_id" uuid NOT NULL, "refresh_hash" character varying(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "ip" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_3238ef96f18b355b671619111bc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_c0c9d3a7dab65bd5e398e31718" ON "sessions" ("agent_id") `);
    await queryRunner.query(`ALTER TABLE "agents" ADD "failed_logins" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "agents" ADD "locked_until" TIMESTAMP WITH TIME ZONE`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "locked_until"`);
    await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "failed_logins"`);
    await queryRunner.query(`DROP INDEX "IDX_c0c9d3a7dab65bd5e398e31718"`);
    await queryRunner.query(`DROP TABLE "sessions"`);
  }
}
