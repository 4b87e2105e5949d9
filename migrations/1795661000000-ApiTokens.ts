import { MigrationInterface, QueryRunner } from 'typeorm';

/** API tokens of institutions' systems: only the hash of each token is stored. */
export class ApiTokens1795661000000 implements MigrationInterface {
  name = 'ApiTokens1795661000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "api_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(100) NOT NULL, "institution_id" uuid NOT NULL, "scopes" text array NOT NULL, "token_hash" character varying(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_c587455266b5fa8dace7194caac" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_3b4a4a73b88790e75e05187f26" ON "api_tokens" ("institution_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "idx_api_tokens_hash" ON "api_tokens" ("token_hash") `);
    await queryRunner.query(
      `ALTER TABLE "api_tokens" ADD CONSTRAINT "FK_3b4a4a73b88790e75e05187f262" FOREIGN KEY ("institution_id") REFERENCES "institutions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "api_tokens" DROP CONSTRAINT "FK_3b4a4a73b88790e75e05187f262"`);
    await queryRunner.query(`DROP INDEX "idx_api_tokens_hash"`);
    await queryRunner.query(`DROP INDEX "IDX_3b4a4a73b88790e75e05187f26"`);
    await queryRunner.query(`DROP TABLE "api_tokens"`);
  }
}
