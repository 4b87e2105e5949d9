import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each ticket's search document also holds the day the ticket was contacted (UTC), as one lexeme `~d` YYYYMMDD, and
 * its institution, as `~i` and the institution's id, both without a position, so the GIN index can answer "the
 * matches of the last weeks" and "the matches of this specialist's institution" alone (contactedSinceQuery and
 * institutionsQuery in src/tickets/ticket-search.ts). A word in 3 % of 1,000,000 tickets has 30,000 matches;
 * finding a specialist's newest of them by fetching every match's row read 52,000 pages (450 ms), where those of
 * the last weeks in one institution are a few hundred.
 *
 * The document function gains two lines; a ticket whose contact time or institution changes has its document built
 * again. Existing
 * documents are built again, with their index dropped and built again after (1,000,000 documents: about two and a
 * half minutes, see the README's search section).
 */
export class SearchDocumentFacets1795688000000 implements MigrationInterface {
  name = 'SearchDocumentFacets1795688000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const s = await schemaOf(queryRunner);
    await queryRunner.query(documentFunction(s, true));
    await queryRunner.query(`DROP TRIGGER ticket_search_ticket_changed ON ${s}."tickets"`);
    await queryRunner.query(
      `CREATE TRIGGER ticket_search_ticket_changed AFTER UPDATE OF subject, customer_id, created_at, institution_id ON ${s}.tickets
       FOR EACH ROW
       WHEN (OLD.subject IS DISTINCT FROM NEW.subject OR OLD.customer_id IS DISTINCT FROM NEW.customer_id
             OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.institution_id IS DISTINCT FROM NEW.institution_id)
       EXECUTE FUNCTION ${s}.ticket_search_row_changed()`,
    );
    // Built again rather than updated: an UPDATE of every document would leave the table twice its size until a
    // VACUUM FULL, and each search would read that many more pages. Without JIT: compiled once per ticket, the
    // document's plan costs more than it saves wherever the statistics make it look expensive.
    await queryRunner.query(`DROP INDEX ${s}."ix_ticket_search_documents"`);
    await queryRunner.query(`SET LOCAL jit = off`);
    await queryRunner.query(`SELECT ${s}.ticket_search_rebuild()`);
    await queryRunner.query(`CREATE INDEX "ix_ticket_search_documents" ON ${s}."ticket_search_documents" USING gin ("document")`);
    await queryRunner.query(`ANALYZE ${s}."ticket_search_documents"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const s = await schemaOf(queryRunner);
    await queryRunner.query(documentFunction(s, false));
    await queryRunner.query(`DROP TRIGGER ticket_search_ticket_changed ON ${s}."tickets"`);
    await queryRunner.query(
      `CREATE TRIGGER ticket_search_ticket_changed AFTER UPDATE OF subject, customer_id ON ${s}.tickets FOR EACH ROW
       WHEN (OLD.subject IS DISTINCT FROM NEW.subject OR OLD.customer_id IS DISTINCT FROM NEW.customer_id)
       EXECUTE FUNCTION ${s}.ticket_search_row_changed()`,
    );
    await queryRunner.query(
      `UPDATE ${s}.ticket_search_documents d SET document = ts_delete(d.document, ARRAY[${dayLexeme('t')}] || ${institutionLexemes('t')})
       FROM ${s}.tickets t WHERE t.id = d.ticket_id`,
    );
  }
}

async function schemaOf(queryRunner: QueryRunner): Promise<string> {
  const [{ schema }] = await queryRunner.query(`SELECT current_schema() AS schema`);
  return `"${schema}"`;
}

/** As contactDayLexeme writes it. */
const dayLexeme = (t: string) => `'~d' || to_char(${t}.created_at AT TIME ZONE 'UTC', 'YYYYMMDD')`;
/** As institutionsQuery names it; no lexeme for a ticket of no institution. */
const institutionLexemes = (t: string) =>
  `CASE WHEN ${t}.institution_id IS NULL THEN ARRAY[]::text[] ELSE ARRAY['~i' || ${t}.institution_id] END`;

/** The whole document of one ticket, from its rows, as migration TicketSearchDocuments wrote it, with or without its facets. */
function documentFunction(s: string, withFacets: boolean): string {
  const words = (text: string) => `to_tsvector('simple'::regconfig, ${s}.kb_unaccent(${text}))`;
  return `CREATE OR REPLACE FUNCTION ${s}.ticket_search_document(t ${s}.tickets) RETURNS tsvector LANGUAGE sql STABLE AS $fn$
     SELECT setweight(${words(`coalesce(t.subject, '')`)}, 'A')
       || coalesce((SELECT ${s}.tsvector_agg(setweight(m.search_vector, (CASE WHEN m.internal THEN 'C' ELSE 'B' END)::"char") ORDER BY m.created_at, m.id)
                    FROM ${s}.messages m WHERE m.ticket_id = t.id), ''::tsvector)
       || setweight(coalesce((SELECT ${words(`coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')`)}
                              FROM ${s}.customers c WHERE c.id = t.customer_id), ''::tsvector), 'D')
       || setweight(coalesce((SELECT ${s}.tsvector_agg(${words(`regexp_replace(a.filename, '[._-]+', ' ', 'g')`)})
                              FROM ${s}.attachments a JOIN ${s}.messages am ON am.id = a.message_id WHERE am.ticket_id = t.id), ''::tsvector), 'D')
       ${withFacets ? `|| array_to_tsvector(ARRAY[${dayLexeme('t')}] || ${institutionLexemes('t')})` : ''}
   $fn$`;
}
