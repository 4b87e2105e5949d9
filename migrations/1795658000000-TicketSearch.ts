import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text search of the inbox (`GET /v1/tickets?q=`): GIN indexes over the words of messages and notes, ticket
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
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "ix_messages_search" ON "messages" USING gin (to_tsvector('simple'::regconfig, kb_unaccent(coalesce("subject", '') || ' ' || coalesce("text", ''))))`,
    );
    // A reference's running number alone (`123` for VP-2026-000123), as operators read it out on the phone.
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "ix_tickets_reference_number" ON "tickets" (ltrim(split_part("reference", '-', 3), '0'))`);
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "ix_tickets_subject_search" ON "tickets" USING gin (to_tsvector('simple'::regconfig, kb_unaccent(coalesce("subject", ''))))`);
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
  }
}
