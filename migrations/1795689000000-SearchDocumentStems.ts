import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each ticket's search document also holds the stem of every word, as libs/search-terms stems it (the longest known
 * Latvian or Russian ending removed, leaving at least three letters), without a position. A search word then asks
 * the GIN index for one exact lexeme, the stem, instead of a prefix: a prefix makes the index collect every match of
 * every word that begins with it before it can intersect anything, where exact entries are intersected in order. At
 * 1,000,000 tickets a specialist's two words took 57 ms as prefixes and 12 ms as exact entries, with the day facets
 * 45 ms and 5 ms (see the README's search section).
 *
 * The rules are written out here, not imported, so that this migration builds the same documents whenever it runs;
 * test/ticket-search.e2e-spec.ts checks that they agree with the library. A change of the library's rules needs a new
 * migration that replaces ticket_search_stems and builds the documents again.
 *
 * Stems equal to their word add nothing (the word is there already). Existing documents are built again, with their
 * index dropped and built again after (1,000,000 documents: about seven minutes, see the README's search section).
 */
export class SearchDocumentStems1795689000000 implements MigrationInterface {
  name = 'SearchDocumentStems1795689000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const s = await schemaOf(queryRunner);
    // PL/pgSQL, not SQL: a SQL function with a FROM is planned again in every statement that calls it, which cost
    // each accepted web form more than its stems (bench:ingest), where PL/pgSQL keeps its plan for the session.
    await queryRunner.query(
      `CREATE FUNCTION ${s}.ticket_search_stems(v tsvector) RETURNS tsvector LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $fn$
       BEGIN
         RETURN (SELECT array_to_tsvector(coalesce(array_agg(DISTINCT w.stem), '{}'))
                 FROM (SELECT ${stemOf('x.word', 'x.cyrillic')} AS stem, x.word
                       FROM (SELECT l AS word, l ~ '[\u0400-\u04ff]' AS cyrillic FROM unnest(tsvector_to_array(v)) l WHERE l !~ '^~') x) w
                 WHERE w.stem <> w.word);
       END $fn$`,
    );
    // Called with the words as its argument, so the document function stays one expression that PostgreSQL can
    // inline into the triggers' statements, and the words are built once.
    await queryRunner.query(
      `CREATE FUNCTION ${s}.ticket_search_with_stems(words tsvector) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $fn$
         SELECT words || ${s}.ticket_search_stems(words)
       $fn$`,
    );
    await queryRunner.query(documentFunction(s, true));
    await queryRunner.query(messagesInsertedFunction(s, true));
    // With its stems a typical document (2.6 kB at a million tickets) passes the 2 kB at which PostgreSQL moves a
    // value out of its row, and a search that checks documents one by one (the probe along the list, the ranking)
    // would read each through the TOAST index and two chunks instead of one page: twice the time, measured. MAIN
    // keeps a document in its row while the row fits a page.
    await queryRunner.query(`ALTER TABLE ${s}."ticket_search_documents" ALTER COLUMN "document" SET STORAGE MAIN`);
    await rebuild(queryRunner, s);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    const s = await schemaOf(queryRunner);
    await queryRunner.query(documentFunction(s, false));
    await queryRunner.query(messagesInsertedFunction(s, false));
    await queryRunner.query(`DROP FUNCTION ${s}.ticket_search_with_stems(tsvector)`);
    await queryRunner.query(`DROP FUNCTION ${s}.ticket_search_stems(tsvector)`);
    await queryRunner.query(`ALTER TABLE ${s}."ticket_search_documents" ALTER COLUMN "document" SET STORAGE EXTENDED`);
    await rebuild(queryRunner, s);
  }
}

async function schemaOf(queryRunner: QueryRunner): Promise<string> {
  const [{ schema }] = await queryRunner.query(`SELECT current_schema() AS schema`);
  return `"${schema}"`;
}

/** As libs/search-terms has them at this migration, diacritics folded. */
export const LATVIAN_ENDINGS = [
  'ajiem',
  'ajam',
  'ajai',
  'ajos',
  'ajas',
  'amies',
  'aties',
  'eties',
  'ities',
  'oties',
  'ties',
  'iem',
  'ies',
  'ais',
  'aja',
  'ajo',
  'ajs',
  'am',
  'as',
  'ai',
  'em',
  'es',
  'ei',
  'im',
  'is',
  'os',
  'um',
  'us',
  'ij',
  'ot',
  'a',
  'e',
  'i',
  'o',
  'u',
  's',
  't',
];
export const RUSSIAN_ENDINGS = [
  'иями',
  'ями',
  'ами',
  'ого',
  'его',
  'ому',
  'ему',
  'ыми',
  'ими',
  'иях',
  'ться',
  'тся',
  'ий',
  'ый',
  'ой',
  'ая',
  'яя',
  'ое',
  'ее',
  'ые',
  'ие',
  'ых',
  'их',
  'ам',
  'ям',
  'ах',
  'ях',
  'ом',
  'ем',
  'ию',
  'ия',
  'ии',
  'ть',
  'ет',
  'ит',
  'ют',
  'ут',
  'ат',
  'ят',
  'а',
  'я',
  'о',
  'е',
  'ы',
  'и',
  'у',
  'ю',
  'ь',
  'й',
];
export const MIN_STEM = 3;

/**
 * The stem of `word` as an SQL expression: a number stays whole; otherwise the longest ending of its alphabet's list
 * that leaves MIN_STEM letters goes. Endings are compared by length, longest first, as plain string comparisons (a
 * regular expression of all the endings cost eight times as much per word).
 */
function stemOf(word: string, cyrillic: string): string {
  const lengths = [...new Set([...LATVIAN_ENDINGS, ...RUSSIAN_ENDINGS].map((e) => e.length))].sort((a, b) => b - a);
  const ofLength = (list: string[], n: number) => `'{${list.filter((e) => e.length === n).join(',')}}'::text[]`;
  const cases = lengths.map(
    (n) =>
      `WHEN length(${word}) >= ${n + MIN_STEM} AND right(${word}, ${n}) = ANY(CASE WHEN ${cyrillic} THEN ${ofLength(RUSSIAN_ENDINGS, n)} ELSE ${ofLength(LATVIAN_ENDINGS, n)} END) THEN left(${word}, -${n})`,
  );
  return `CASE WHEN ${word} ~ '^[0-9]+$' THEN ${word} ${cases.join(' ')} ELSE ${word} END`;
}

/** As contactDayLexeme writes it. */
const dayLexeme = (t: string) => `'~d' || to_char(${t}.created_at AT TIME ZONE 'UTC', 'YYYYMMDD')`;
/** As institutionsQuery names it; no lexeme for a ticket of no institution. */
const institutionLexemes = (t: string) =>
  `CASE WHEN ${t}.institution_id IS NULL THEN ARRAY[]::text[] ELSE ARRAY['~i' || ${t}.institution_id] END`;

/** The whole document of one ticket, as migration SearchDocumentFacets wrote it, with or without the stems of its words. */
function documentFunction(s: string, withStems: boolean): string {
  const words = (text: string) => `to_tsvector('simple'::regconfig, ${s}.kb_unaccent(${text}))`;
  const document = `setweight(${words(`coalesce(t.subject, '')`)}, 'A')
       || coalesce((SELECT ${s}.tsvector_agg(setweight(m.search_vector, (CASE WHEN m.internal THEN 'C' ELSE 'B' END)::"char") ORDER BY m.created_at, m.id)
                    FROM ${s}.messages m WHERE m.ticket_id = t.id), ''::tsvector)
       || setweight(coalesce((SELECT ${words(`coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')`)}
                              FROM ${s}.customers c WHERE c.id = t.customer_id), ''::tsvector), 'D')
       || setweight(coalesce((SELECT ${s}.tsvector_agg(${words(`regexp_replace(a.filename, '[._-]+', ' ', 'g')`)})
                              FROM ${s}.attachments a JOIN ${s}.messages am ON am.id = a.message_id WHERE am.ticket_id = t.id), ''::tsvector), 'D')
       || array_to_tsvector(ARRAY[${dayLexeme('t')}] || ${institutionLexemes('t')})`;
  return `CREATE OR REPLACE FUNCTION ${s}.ticket_search_document(t ${s}.tickets) RETURNS tsvector LANGUAGE sql STABLE AS $fn$
     SELECT ${withStems ? `${s}.ticket_search_with_stems(${document})` : document}
   $fn$`;
}

/** New messages appended to their tickets' documents, as migration TicketSearchDocuments wrote it, with or without their stems. */
function messagesInsertedFunction(s: string, withStems: boolean): string {
  const words = `${s}.tsvector_agg(setweight(m.search_vector, (CASE WHEN m.internal THEN 'C' ELSE 'B' END)::"char") ORDER BY m.created_at, m.id)`;
  const added = `SELECT m.ticket_id, ${withStems ? `${s}.ticket_search_with_stems(${words})` : words}
       FROM inserted m GROUP BY m.ticket_id ORDER BY m.ticket_id`;
  return `CREATE OR REPLACE FUNCTION ${s}.ticket_search_messages_inserted() RETURNS trigger LANGUAGE plpgsql AS $fn$
     BEGIN
       INSERT INTO ${s}.ticket_search_documents AS d (ticket_id, document)
       ${added}
       ON CONFLICT (ticket_id) DO UPDATE SET document = d.document || excluded.document;
       RETURN NULL;
     END $fn$`;
}

/** Every document built again, as migration SearchDocumentFacets does it and for its reasons. */
async function rebuild(queryRunner: QueryRunner, s: string): Promise<void> {
  await queryRunner.query(`DROP INDEX ${s}."ix_ticket_search_documents"`);
  await queryRunner.query(`SET LOCAL jit = off`);
  await queryRunner.query(`SELECT ${s}.ticket_search_rebuild()`);
  await queryRunner.query(`CREATE INDEX "ix_ticket_search_documents" ON ${s}."ticket_search_documents" USING gin ("document")`);
  await queryRunner.query(`ANALYZE ${s}."ticket_search_documents"`);
}
