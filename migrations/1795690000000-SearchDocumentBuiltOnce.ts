import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A new ticket's search document is written once when the ticket and its first messages are inserted by one
 * statement, as the ingest inserts them: built whole from the rows by whichever of the two triggers runs at the end
 * of that statement sees the ticket without a document. Before, the tickets' trigger wrote the subject's and name's
 * words and the messages' trigger then rewrote the row to append theirs: two versions of the row, each indexed in
 * full, for every accepted contact.
 *
 * - The tickets' trigger leaves a ticket that already has messages to the messages' trigger. A ticket inserted alone
 *   (nothing else inserts its messages in the same statement) is built here as before.
 * - The messages' trigger builds the whole document of a ticket that has none, and appends to the others as before.
 *
 * Both triggers run after the whole statement and see its rows, whichever runs first, so each new ticket is built
 * exactly once. Its document is then the one `ticket_search_rebuild()` builds, words in the same order. Writers that
 * insert a ticket and its messages in separate statements still get the document built, then appended to.
 */
export class SearchDocumentBuiltOnce1795690000000 implements MigrationInterface {
  name = 'SearchDocumentBuiltOnce1795690000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const s = await schemaOf(queryRunner);
    await queryRunner.query(ticketsInsertedFunction(s, true));
    // Rows in ticket order, as every writer of the documents takes them. A document built here concurrently by
    // another transaction (an old ticket that had none) is replaced by this one's, built from the same rows.
    await queryRunner.query(
      `CREATE OR REPLACE FUNCTION ${s}.ticket_search_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$
       BEGIN
         WITH without_document AS (
           SELECT DISTINCT m.ticket_id FROM inserted m
           WHERE NOT EXISTS (SELECT 1 FROM ${s}.ticket_search_documents d WHERE d.ticket_id = m.ticket_id)
         ), built AS (
           INSERT INTO ${s}.ticket_search_documents AS d (ticket_id, document)
           SELECT t.id, ${s}.ticket_search_document(t) FROM ${s}.tickets t JOIN without_document w ON w.ticket_id = t.id ORDER BY t.id
           ON CONFLICT (ticket_id) DO UPDATE SET document = excluded.document
         )
         INSERT INTO ${s}.ticket_search_documents AS d (ticket_id, document)
         ${appended(s, `WHERE m.ticket_id NOT IN (SELECT ticket_id FROM without_document)`)}
         ON CONFLICT (ticket_id) DO UPDATE SET document = d.document || excluded.document;
         RETURN NULL;
       END $fn$`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const s = await schemaOf(queryRunner);
    await queryRunner.query(ticketsInsertedFunction(s, false));
    await queryRunner.query(
      `CREATE OR REPLACE FUNCTION ${s}.ticket_search_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$
       BEGIN
         INSERT INTO ${s}.ticket_search_documents AS d (ticket_id, document)
         ${appended(s, '')}
         ON CONFLICT (ticket_id) DO UPDATE SET document = d.document || excluded.document;
         RETURN NULL;
       END $fn$`,
    );
  }
}

async function schemaOf(queryRunner: QueryRunner): Promise<string> {
  const [{ schema }] = await queryRunner.query(`SELECT current_schema() AS schema`);
  return `"${schema}"`;
}

/**
 * New tickets' documents, built from their rows; with `leaveToMessages`, not those of tickets that have messages
 * already (inserted by the same statement), which the messages' trigger builds.
 */
function ticketsInsertedFunction(s: string, leaveToMessages: boolean): string {
  return `CREATE OR REPLACE FUNCTION ${s}.ticket_search_tickets_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$
     BEGIN
       INSERT INTO ${s}.ticket_search_documents (ticket_id, document)
       SELECT t.id, ${s}.ticket_search_document(t::${s}.tickets) FROM inserted t
       ${leaveToMessages ? `WHERE NOT EXISTS (SELECT 1 FROM ${s}.messages m WHERE m.ticket_id = t.id)` : ''}
       ORDER BY t.id
       ON CONFLICT (ticket_id) DO UPDATE SET document = excluded.document;
       RETURN NULL;
     END $fn$`;
}

/** The words of the inserted messages of each ticket, with their stems, as migration SearchDocumentStems appends them. */
function appended(s: string, where: string): string {
  return `SELECT m.ticket_id, ${s}.ticket_search_with_stems(${s}.tsvector_agg(setweight(m.search_vector, (CASE WHEN m.internal THEN 'C' ELSE 'B' END)::"char") ORDER BY m.created_at, m.id))
         FROM inserted m ${where} GROUP BY m.ticket_id ORDER BY m.ticket_id`;
}
