import { MigrationInterface, QueryRunner } from 'typeorm';

/** Links between an identity at an OpenID Connect provider (issuer and subject) and an agent. */
export class OidcSubjects1795662000000 implements MigrationInterface {
  name = 'OidcSubjects1795662000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "agent_oidc_subjects" ("issuer" text NOT NULL, "subject" text NOT NULL, "agent_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_login_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_d0537a55c9b8cb4b5c1f7acae92" PRIMARY KEY ("issuer", "subject"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "idx_agent_oidc_subjects_agent" ON "agent_oidc_subjects" ("agent_id", "issuer") `);
    await queryRunner.query(
      `ALTER TABLE "agent_oidc_subjects" ADD CONSTRAINT "FK_7904030434a56dbe339675a12e4" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agent_oidc_subjects" DROP CONSTRAINT "FK_7904030434a56dbe339675a12e4"`);
    await queryRunner.query(`DROP INDEX "idx_agent_oidc_subjects_agent"`);
    await queryRunner.query(`DROP TABLE "agent_oidc_subjects"`);
  }
}
