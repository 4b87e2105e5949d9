import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Knowledge articles and their search indexes.
 *
 * Extensions are database-wide while this application lives in one schema of a database that may hold several
 * (per-installation or per-test schemas), so unaccent and pg_trgm are created once, in `public`, which is on
 * every connection's search_path (see database-options.ts). Both are trusted extensions from PostgreSQL 13 on:
 * the database owner may create them without being a superuser. Concurrent migrations of two schemas serialise
 * on an advisory lock, because two CREATE EXTENSION IF NOT EXISTS can still race on the catalogue.
 *
 * unaccent() is only STABLE (its dictionary could change), so it cannot appear in an index or be relied on by
 * stored columns; kb_unaccent pins the dictionary and the schema and is declared IMMUTABLE, the usual remedy.
 */
export class KnowledgeBase1795651000000 implements MigrationInterface {
  name = 'KnowledgeBase1795651000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`SELECT pg_advisory_xact_lock(hashtext('vpppd:create-extensions'))`);
    const available: Array<{ name: string }> = await queryRunner.query(
      `SELECT name FROM pg_available_extensions WHERE name IN ('unaccent', 'pg_trgm')`,
    );
    const missing = ['unaccent', 'pg_trgm'].filter((name) => !available.some((a) => a.name === name));
    if (missing.length > 0) {
      throw new Error(
        `PostgreSQL lacks the ${missing.join(' and ')} extension(s) the knowledge-base search needs: install the server's ` +
          `contrib modules (Debian: postgresql-contrib or postgresql-<version>), then start again.`,
      );
    }
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public`);
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`);
    // Where an administrator installed them before us, they may live in another schema.
    const [{ schema }]: Array<{ schema: string }> = await queryRunner.query(
      `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'`,
    );
    const [{ trgm }]: Array<{ trgm: string }> = await queryRunner.query(
      `SELECT n.nspname AS trgm FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'`,
    );
    await queryRunner.query(
      `CREATE OR REPLACE FUNCTION kb_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
       AS $fn$ SELECT "${schema}".unaccent('"${schema}".unaccent'::regdictionary, $1) $fn$`,
    );

    await queryRunner.query(
      `CREATE TABLE "knowledge_articles" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "institution_id" uuid, "topic" text, "language" character varying(2) NOT NULL, "questions" text array NOT NULL, "answer" text NOT NULL, "published" boolean NOT NULL DEFAULT false, "search_vector" tsvector, "search_text" text, "search_version" smallint NOT NULL DEFAULT '0', "updated_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_4dff86fc9e08f53fe1d4cfe5fb1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_8063f6406b4fc338d9072659d6" ON "knowledge_articles" ("institution_id") `);
    await queryRunner.query(`CREATE INDEX "ix_knowledge_articles_language" ON "knowledge_articles" ("language", "published") `);
    await queryRunner.query(
      `ALTER TABLE "knowledge_articles" ADD CONSTRAINT "FK_8063f6406b4fc338d9072659d6d" FOREIGN KEY ("institution_id") REFERENCES "institutions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );

    await queryRunner.query(`CREATE INDEX "ix_knowledge_articles_search_vector" ON "knowledge_articles" USING gin ("search_vector")`);
    await queryRunner.query(
      `CREATE INDEX "ix_knowledge_articles_search_text" ON "knowledge_articles" USING gin ("search_text" "${trgm}".gin_trgm_ops)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "knowledge_articles" DROP CONSTRAINT "FK_8063f6406b4fc338d9072659d6d"`);
    await queryRunner.query(`DROP INDEX "ix_knowledge_articles_search_text"`);
    await queryRunner.query(`DROP INDEX "ix_knowledge_articles_search_vector"`);
    await queryRunner.query(`DROP INDEX "ix_knowledge_articles_language"`);
    await queryRunner.query(`DROP INDEX "IDX_8063f6406b4fc338d9072659d6"`);
    await queryRunner.query(`DROP TABLE "knowledge_articles"`);
    await queryRunner.query(`DROP FUNCTION kb_unaccent(text)`);
    // The extensions stay: other schemas of the database may use them.
  }
}
