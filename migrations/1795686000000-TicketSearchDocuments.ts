import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One search document per ticket: the words of its subject, messages, notes, customer's name and attachments'
 * file names in one tsvector with one GIN index, so `GET /v1/tickets?q=` asks one index once per ticket instead of
 * four (message words, subject, name, file name) whose matches it had to join back to the tickets. Weights keep
 * where a word stood for the ranking: A subject, B message, C internal note, D customer name or file name.
 *
 * Triggers keep the documents, so every writer (ingest, replies, notes, merges, erasure, customer renames) is
 * covered without one of them having to remember: a new message is appended to its ticket's document (ingest
 * pays one small write per batch of messages), and the rarer changes (a message's text or ticket, a subject, a
 * customer, a file name, an erasure) build the documents they touch again from the rows. The functions name this
 * schema's tables, as kb_unaccent does, so they work whatever the caller's search_path.
 *
 * The word indexes of migration TicketSearch over messages, subjects and file names go: nothing reads them any
 * more, and each message written paid for one.
 *
 * The migration builds every existing ticket's document in one statement: on a large installation that takes a
 * while (1,000,000 tickets with 10,000,000 messages: see the README's search section) and runs before the
 * service starts. `SELECT ticket_search_rebuild()` builds them all again at any time.
 */
export class TicketSearchDocuments1795686000000 implements MigrationInterface {
  name = 'TicketSearchDocuments1795686000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const [{ schema }] = await queryRunner.query(`SELECT current_schema() AS schema`);
    const s = `"${schema}"`;
    const words = (text: string) => `to_tsvector('simple'::regconfig, ${s}.kb_unaccent(${text}))`;

    await queryRunner.query(
      `CREATE AGGREGATE ${s}.tsvector_agg(tsvector) (SFUNC = pg_catalog.tsvector_concat, STYPE = tsvector, INITCOND = '')`,
    );
    await queryRunner.query(
      `CREATE TABLE ${s}."ticket_search_documents" (
        "ticket_id" uuid NOT NULL,
        "document" tsvector NOT NULL,
        CONSTRAINT "PK_ticket_search_documents" PRIMARY KEY ("ticket_id"),
        CONSTRAINT "FK_ticket_search_documents_ticket" FOREIGN KEY ("ticket_id") REFERENCES ${s}."tickets"("id") ON DELETE CASCADE
      )`,
    );

    // The whole document of one ticket, from its rows.
    await queryRunner.query(
      `CREATE FUNCTION ${s}.ticket_search_document(t ${s}.tickets) RETURNS tsvector LANGUAGE sql STABLE AS $fn$
         SELECT setweight(${words(`coalesce(t.subject, '')`)}, 'A')
           || coalesce((SELECT ${s}.tsvector_agg(setweight(m.search_vector, (CASE WHEN m.internal THEN 'C' ELSE 'B' END)::"char") ORDER BY m.created_at, m.id)
                        FROM ${s}.messages m WHERE m.ticket_id = t.id), ''::tsvector)
           || setweight(coalesce((SELECT ${words(`coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')`)}
                                  FROM ${s}.customers c WHERE c.id = t.customer_id), ''::tsvector), 'D')
           || setweight(coalesce((SELECT ${s}.tsvector_agg(${words(`regexp_replace(a.filename, '[._-]+', ' ', 'g')`)})
                                  FROM ${s}.attachments a JOIN ${s}.messages am ON am.id = a.message_id WHERE am.ticket_id = t.id), ''::tsvector), 'D')
       $fn$`,
    );
    // Rows in ticket order: two refreshes over the same tickets lock their documents in the same order.
    await queryRunner.query(
      `CREATE FUNCTION ${s}.ticket_search_refresh(ids uuid[]) RETURNS void LANGUAGE sql AS $fn$
         INSERT INTO ${s}.ticket_search_documents AS d (ticket_id, document)
         SELECT t.id, ${s}.ticket_search_document(t) FROM ${s}.tickets t WHERE t.id = ANY(ids) ORDER BY t.id
         ON CONFLICT (ticket_id) DO UPDATE SET document = excluded.document
       $fn$`,
    );
    await queryRunner.query(
      `CREATE FUNCTION ${s}.ticket_search_rebuild() RETURNS bigint LANGUAGE sql AS $fn$
         TRUNCATE ${s}.ticket_search_documents;
         WITH built AS (
           INSERT INTO ${s}.ticket_search_documents (ticket_id, document) SELECT t.id, ${s}.ticket_search_document(t) FROM ${s}.tickets t
           RETURNING 1
         )
         SELECT count(*) FROM built
       $fn$`,
    );

    // New tickets: subject and customer's name (their messages follow, below).
    await queryRunner.query(
      `CREATE FUNCTION ${s}.ticket_search_tickets_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$
       BEGIN
         INSERT INTO ${s}.ticket_search_documents (ticket_id, document)
         SELECT t.id, ${s}.ticket_search_document(t::${s}.tickets) FROM inserted t ORDER BY t.id
         ON CONFLICT (ticket_id) DO UPDATE SET document = excluded.document;
         RETURN NULL;
       END $fn$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER ticket_search_tickets_inserted AFTER INSERT ON ${s}.tickets REFERENCING NEW TABLE AS inserted
       FOR EACH STATEMENT EXECUTE FUNCTION ${s}.ticket_search_tickets_inserted()`,
    );
    // New messages, appended: one statement per inserting statement, whatever the number of messages.
    await queryRunner.query(
      `CREATE FUNCTION ${s}.ticket_search_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$
       BEGIN
         INSERT INTO ${s}.ticket_search_documents AS d (ticket_id, document)
         SELECT m.ticket_id, ${s}.tsvector_agg(setweight(m.search_vector, (CASE WHEN m.internal THEN 'C' ELSE 'B' END)::"char") ORDER BY m.created_at, m.id)
         FROM inserted m GROUP BY m.ticket_id ORDER BY m.ticket_id
         ON CONFLICT (ticket_id) DO UPDATE SET document = d.document || excluded.document;
         RETURN NULL;
       END $fn$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER ticket_search_messages_inserted AFTER INSERT ON ${s}.messages REFERENCING NEW TABLE AS inserted
       FOR EACH STATEMENT EXECUTE FUNCTION ${s}.ticket_search_messages_inserted()`,
    );
    // Everything else is rare and built again from the rows: the old ticket's document as well as the new one's.
    await queryRunner.query(
      `CREATE FUNCTION ${s}.ticket_search_row_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
       DECLARE
         affected uuid[];
       BEGIN
         IF TG_TABLE_NAME = 'tickets' THEN
           affected := ARRAY[NEW.id];
         ELSIF TG_TABLE_NAME = 'customers' THEN
           affected := ARRAY(SELECT t.id FROM ${s}.tickets t WHERE t.customer_id = NEW.id);
         ELSIF TG_TABLE_NAME = 'messages' THEN
           affected := CASE TG_OP WHEN 'DELETE' THEN ARRAY[OLD.ticket_id] ELSE ARRAY[OLD.ticket_id, NEW.ticket_id] END;
         ELSIF TG_TABLE_NAME = 'attachments' THEN
           affected := ARRAY(SELECT m.ticket_id FROM ${s}.messages m
                             WHERE m.id IN (CASE WHEN TG_OP = 'DELETE' THEN OLD.message_id ELSE NEW.message_id END,
                                            CASE WHEN TG_OP = 'INSERT' THEN NEW.message_id ELSE OLD.message_id END));
         END IF;
         PERFORM ${s}.ticket_search_refresh(affected);
         RETURN NULL;
       END $fn$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER ticket_search_ticket_changed AFTER UPDATE OF subject, customer_id ON ${s}.tickets FOR EACH ROW
       WHEN (OLD.subject IS DISTINCT FROM NEW.subject OR OLD.customer_id IS DISTINCT FROM NEW.customer_id)
       EXECUTE FUNCTION ${s}.ticket_search_row_changed()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER ticket_search_customer_renamed AFTER UPDATE OF first_name, last_name ON ${s}.customers FOR EACH ROW
       WHEN (OLD.first_name IS DISTINCT FROM NEW.first_name OR OLD.last_name IS DISTINCT FROM NEW.last_name)
       EXECUTE FUNCTION ${s}.ticket_search_row_changed()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER ticket_search_message_changed AFTER UPDATE OF subject, text, internal, ticket_id ON ${s}.messages FOR EACH ROW
       WHEN (OLD.subject IS DISTINCT FROM NEW.subject OR OLD.text IS DISTINCT FROM NEW.text
             OR OLD.internal IS DISTINCT FROM NEW.internal OR OLD.ticket_id IS DISTINCT FROM NEW.ticket_id)
       EXECUTE FUNCTION ${s}.ticket_search_row_changed()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER ticket_search_message_deleted AFTER DELETE ON ${s}.messages FOR EACH ROW EXECUTE FUNCTION ${s}.ticket_search_row_changed()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER ticket_search_attachment_changed AFTER INSERT OR DELETE OR UPDATE OF filename, message_id ON ${s}.attachments
       FOR EACH ROW EXECUTE FUNCTION ${s}.ticket_search_row_changed()`,
    );

    await queryRunner.query(`SELECT ${s}.ticket_search_rebuild()`);
    await queryRunner.query(`CREATE INDEX "ix_ticket_search_documents" ON ${s}."ticket_search_documents" USING gin ("document")`);
    await queryRunner.query(`ANALYZE ${s}."ticket_search_documents"`);
    // The documents replace these for the inbox search; each message no longer pays for a second word index.
    // (The customers' name index stays: /v1/customers searches by name.)
    await queryRunner.query(`DROP INDEX IF EXISTS ${s}."ix_messages_search"`);
    await queryRunner.query(`DROP INDEX IF EXISTS ${s}."ix_tickets_subject_search"`);
    await queryRunner.query(`DROP INDEX IF EXISTS ${s}."ix_attachments_filename_search"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "ix_messages_search" ON "messages" USING gin ("search_vector")`);
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "ix_tickets_subject_search" ON "tickets" USING gin (to_tsvector('simple'::regconfig, kb_unaccent(coalesce("subject", ''))))`,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "ix_attachments_filename_search" ON "attachments" USING gin (to_tsvector('simple'::regconfig, kb_unaccent(regexp_replace("filename", '[._-]+', ' ', 'g'))))`,
    );
    await queryRunner.query(`DROP TRIGGER ticket_search_attachment_changed ON "attachments"`);
    await queryRunner.query(`DROP TRIGGER ticket_search_message_deleted ON "messages"`);
    await queryRunner.query(`DROP TRIGGER ticket_search_message_changed ON "messages"`);
    await queryRunner.query(`DROP TRIGGER ticket_search_customer_renamed ON "customers"`);
    await queryRunner.query(`DROP TRIGGER ticket_search_ticket_changed ON "tickets"`);
    await queryRunner.query(`DROP TRIGGER ticket_search_messages_inserted ON "messages"`);
    await queryRunner.query(`DROP TRIGGER ticket_search_tickets_inserted ON "tickets"`);
    await queryRunner.query(`DROP FUNCTION ticket_search_row_changed()`);
    await queryRunner.query(`DROP FUNCTION ticket_search_messages_inserted()`);
    await queryRunner.query(`DROP FUNCTION ticket_search_tickets_inserted()`);
    await queryRunner.query(`DROP FUNCTION ticket_search_rebuild()`);
    await queryRunner.query(`DROP FUNCTION ticket_search_refresh(uuid[])`);
    await queryRunner.query(`DROP FUNCTION ticket_search_document(tickets)`);
    await queryRunner.query(`DROP TABLE "ticket_search_documents"`);
    await queryRunner.query(`DROP AGGREGATE tsvector_agg(tsvector)`);
  }
}
