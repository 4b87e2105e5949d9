import { MigrationInterface, QueryRunner } from 'typeorm';

/** The words of a message, as src/tickets/entities/message.entity.ts declares its generated column. */
const MESSAGE_WORDS = `to_tsvector('simple'::regconfig, kb_unaccent(coalesce("subject", '') || ' ' || coalesce("text", '')))`;

/**
 * Full-text search of the inbox (`GET /v1/tickets?q=`): GIN indexes over the words of messages and notes (kept in a
 * stored column), ticket
 * subjects, customer names and attachment file names, diacritics folded by kb_unaccent (KnowledgeBase migration)
 * and no stemming in PostgreSQL ('simple'): the query side stems Latvian words and matches them as prefixes, so
 * the stored words stay as written and a better stemmer needs no re-index. Expressions, so the entities declare
 * these indexes without synchronising them (src/tickets/ticket-search.ts repeats each expression exactly).
 *
 * Not CONCURRENTLY, for the reason InboxIndexes gives; on a large installation they can be created CONCURRENTLY by
 * hand first, and this migration then leaves them as they are.
 */
export class TicketSearch1795658000000 implements MigrationInterface {
  name = 'TicketSearch1795658000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Stored, not only indexed: a search along the inbox's own order checks the messages of each ticket it passes,
    // and computing their words again for every check cost more than the whole list. TypeORM keeps the expression
    // of a generated column in typeorm_metadata and compares entities against it.
    await queryRunner.query(`ALTER TABLE "messages" ADD "search_vector" tsvector GENERATED ALWAYS AS (${MESSAGE_WORDS}) STORED NOT NULL`);
    await queryRunner.query(
      `CREATE TABLE IF NOT EXISTS "typeorm_metadata" ("type" character varying NOT NULL, "database" character varying, "schema" character varying, "table" character varying, "name" character varying, "value" text)`,
    );
    await queryRunner.query(
      `INSERT INTO "typeorm_metadata" ("database", "schema", "table", "type", "name", "value") VALUES (current_database(), current_schema(), 'messages', 'GENERATED_COLUMN', 'search_vector', $1)`,
      [MESSAGE_WORDS],
    );
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "ix_messages_search" ON "messages" USING gin ("search_vector")`);
    // A reference's running number alone (`123` for VP-2026-000123), as operators read it out on the phone.
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "ix_tickets_reference_number" ON "tickets" (ltrim(split_part("reference", '-', 3), '0'))`,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "ix_tickets_subject_search" ON "tickets" USING gin (to_tsvector('simple'::regconfig, kb_unaccent(coalesce("subject", ''))))`,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "ix_customers_name_search" ON "customers" USING gin (to_tsvector('simple'::regconfig, kb_unaccent(coalesce("first_name", '') || ' ' || coalesce("last_name", ''))))`,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "ix_attachments_filename_search" ON "attachments" USING gin (to_tsvector('simple'::regconfig, kb_unaccent(regexp_replace("filename", '[._-]+', ' ', 'g'))))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "ix_attachments_filename_search"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "ix_customers_name_search"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "ix_tickets_subject_search"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "ix_tickets_reference_number"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "ix_messages_search"`);
    await queryRunner.query(
      `DELETE FROM "typeorm_metadata" WHERE "type" = 'GENERATED_COLUMN' AND "table" = 'messages' AND "name" = 'search_vector' AND "schema" = current_schema()`,
    );
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "search_vector"`);
  }
}
