import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A ticket's search document no longer holds the words of automatic messages (author `bot`: the acknowledgement of a
 * written contact, the reference notice, level 0's answer, the chat assistant's replies, the satisfaction survey).
 * They are the same few templates in every ticket: the Latvian acknowledgement alone is some seventy words and a
 * status link, more than most citizens write, so a search for "darba dienu" or "saņemta" matched every acknowledged
 * ticket, and building their words and stems was most of what PostgreSQL spent on accepting a web form
 * (`pg_stat_statements` under `bench`: 242 µs of the messages' trigger per event). What people wrote stays: the
 * subject, the customer's and staff's messages, notes, the name, file names.
 *
 * The messages' search words (`messages.search_vector`) are unchanged: a generated column, which changing would
 * rewrite the table. Existing documents are built again without those words, with their index dropped and built
 * again after, as migration SearchDocumentStems did (at 1,000,000 tickets some minutes).
 */
export class SearchDocumentWithoutAutomaticMessages1795692000000 implements MigrationInterface {
  name = 'SearchDocumentWithoutAutomaticMessages1795692000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const s = await schemaOf(queryRunner);
    await queryRunner.query(documentFunction(s, true));
    await queryRunner.query(messagesInsertedFunction(s, true));
    await rebuild(queryRunner, s);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const s = await schemaOf(queryRunner);
    await queryRunner.query(documentFunction(s, false));
    await queryRunner.query(messagesInsertedFunction(s, false));
    await rebuild(queryRunner, s);
  }
}

async function schemaOf(queryRunner: QueryRunner): Promise<string> {
  const [{ schema }] = await queryRunner.query(`SELECT current_schema() AS schema`);
  return `"${schema}"`;
}

/** Which of a ticket's messages have words in its document. */
const searched = (m: string, withoutAutomatic: boolean) => (withoutAutomatic ? `AND ${m}.author_type <> 'bot'` : '');

/** As contactDayLexeme writes it. */
const dayLexeme = (t: string) => `'~d' || to_char(${t}.created_at AT TIME ZONE 'UTC', 'YYYYMMDD')`;
/** As institutionsQuery names it; no lexeme for a ticket of no institution. */
const institutionLexemes = (t: string) =>
  `CASE WHEN ${t}.institution_id IS NULL THEN ARRAY[]::text[] ELSE ARRAY['~i' || ${t}.institution_id] END`;

/** The whole document of one ticket, as migration SearchDocumentStems wrote it, with or without automatic messages. */
function documentFunction(s: string, withoutAutomatic: boolean): string {
  const words = (text: string) => `to_tsvector('simple'::regconfig, ${s}.kb_unaccent(${text}))`;
  const document = `setweight(${words(`coalesce(t.subject, '')`)}, 'A')
       || coalesce((SELECT ${s}.tsvector_agg(setweight(m.search_vector, (CASE WHEN m.internal THEN 'C' ELSE 'B' END)::"char") ORDER BY m.created_at, m.id)
                    FROM ${s}.messages m WHERE m.ticket_id = t.id ${searched('m', withoutAutomatic)}), ''::tsvector)
       || setweight(coalesce((SELECT ${words(`coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')`)}
                              FROM ${s}.customers c WHERE c.id = t.customer_id), ''::tsvector), 'D')
       || setweight(coalesce((SELECT ${s}.tsvector_agg(${words(`regexp_replace(a.filename, '[._-]+', ' ', 'g')`)})
                              FROM ${s}.attachments a JOIN ${s}.messages am ON am.id = a.message_id WHERE am.ticket_id = t.id), ''::tsvector), 'D')
       || array_to_tsvector(ARRAY[${dayLexeme('t')}] || ${institutionLexemes('t')})`;
  return `CREATE OR REPLACE FUNCTION ${s}.ticket_search_document(t ${s}.tickets) RETURNS tsvector LANGUAGE sql STABLE AS $fn$
     SELECT ${s}.ticket_search_with_stems(${document})
   $fn$`;
}

/**
 * As migration SearchDocumentBuiltOnce wrote it: the whole document of a ticket without one (a new ticket whose
 * messages came in the same statement), whatever its messages, so that it is built even when all are automatic; the
 * words of the others' new messages appended, with or without automatic messages.
 */
function messagesInsertedFunction(s: string, withoutAutomatic: boolean): string {
  return `CREATE OR REPLACE FUNCTION ${s}.ticket_search_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$
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
       SELECT m.ticket_id, ${s}.ticket_search_with_stems(${s}.tsvector_agg(setweight(m.search_vector, (CASE WHEN m.internal THEN 'C' ELSE 'B' END)::"char") ORDER BY m.created_at, m.id))
       FROM inserted m WHERE m.ticket_id NOT IN (SELECT ticket_id FROM without_document) ${searched('m', withoutAutomatic)}
       GROUP BY m.ticket_id ORDER BY m.ticket_id
       ON CONFLICT (ticket_id) DO UPDATE SET document = d.document || excluded.document;
       RETURN NULL;
     END $fn$`;
}

/** Every document built again, as migration SearchDocumentStems does it and for its reasons. */
async function rebuild(queryRunner: QueryRunner, s: string): Promise<void> {
  await queryRunner.query(`DROP INDEX ${s}."ix_ticket_search_documents"`);
  await queryRunner.query(`SET LOCAL jit = off`);
  await queryRunner.query(`SELECT ${s}.ticket_search_rebuild()`);
  await queryRunner.query(`CREATE INDEX "ix_ticket_search_documents" ON ${s}."ticket_search_documents" USING gin ("document")`);
  await queryRunner.query(`ANALYZE ${s}."ticket_search_documents"`);
}
