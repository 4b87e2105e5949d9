import { MigrationInterface, QueryRunner } from 'typeorm';
// Only values may be imported from another migration: TypeORM takes every function a migration file exports for a migration.
import { LATVIAN_ENDINGS, MIN_STEM, RUSSIAN_ENDINGS } from './1795689000000-SearchDocumentStems';

/**
 * The same stems as migration SearchDocumentStems makes, for a third less of PostgreSQL's time: every new message's
 * words are stemmed by the messages' trigger, which made it a sixth of PostgreSQL's work on an accepted web form
 * (`pg_stat_statements` under `bench`: 101 µs of 555). 2,000 documents of a web form's 26 words took 139 ms, now 93 ms
 * (the best of six runs each, the one that costs nothing else 23 ms). What it does differently:
 *
 * - each alphabet's endings are their own CASE, so that every list is a constant PostgreSQL looks words up in, not an
 *   expression it builds again for every word;
 * - words that cannot lose an ending (too short, a number, a facet) are left out before the CASE rather than by it,
 *   and an ASCII word is not matched against the Cyrillic range;
 * - array_to_tsvector removes duplicate stems itself, so the aggregate no longer sorts them first.
 *
 * Its output is the old function's for every word (test/ticket-search.e2e-spec.ts checks both against the library), so
 * no document is built again.
 */
export class SearchStemsFaster1795693000000 implements MigrationInterface {
  name = 'SearchStemsFaster1795693000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    const s = await schemaOf(queryRunner);
    await queryRunner.query(
      `CREATE OR REPLACE FUNCTION ${s}.ticket_search_stems(v tsvector) RETURNS tsvector LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $fn$
       BEGIN
         RETURN (SELECT array_to_tsvector(coalesce(array_agg(w.stem), '{}'))
                 FROM (SELECT CASE WHEN x.cyrillic THEN ${stemCase(RUSSIAN_ENDINGS)} ELSE ${stemCase(LATVIAN_ENDINGS)} END AS stem, x.word
                       FROM (SELECT l AS word, length(l) AS len, octet_length(l) <> length(l) AND l ~ '[\u0400-\u04ff]' AS cyrillic
                             FROM unnest(tsvector_to_array(v)) l
                             WHERE length(l) > ${MIN_STEM} AND left(l, 1) <> '~' AND ltrim(l, '0123456789') <> '') x) w
                 WHERE w.stem <> w.word);
       END $fn$`,
    );
  }

  /** Back to the function as migration SearchDocumentStems made it. */
  public async down(queryRunner: QueryRunner): Promise<void> {
    const s = await schemaOf(queryRunner);
    await queryRunner.query(
      `CREATE OR REPLACE FUNCTION ${s}.ticket_search_stems(v tsvector) RETURNS tsvector LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $fn$
       BEGIN
         RETURN (SELECT array_to_tsvector(coalesce(array_agg(DISTINCT w.stem), '{}'))
                 FROM (SELECT ${earlierStemOf('x.word', 'x.cyrillic')} AS stem, x.word
                       FROM (SELECT l AS word, l ~ '[\u0400-\u04ff]' AS cyrillic FROM unnest(tsvector_to_array(v)) l WHERE l !~ '^~') x) w
                 WHERE w.stem <> w.word);
       END $fn$`,
    );
  }
}

async function schemaOf(queryRunner: QueryRunner): Promise<string> {
  const [{ schema }] = await queryRunner.query(`SELECT current_schema() AS schema`);
  return `"${schema}"`;
}

/** The word without the longest of `endings` that leaves MIN_STEM letters, as an SQL expression over `x`. */
function stemCase(endings: string[]): string {
  const lengths = [...new Set(endings.map((e) => e.length))].sort((a, b) => b - a);
  const cases = lengths.map(
    (n) =>
      `WHEN x.len >= ${n + MIN_STEM} AND right(x.word, ${n}) = ANY('{${endings.filter((e) => e.length === n).join(',')}}'::text[]) THEN left(x.word, -${n})`,
  );
  return `CASE ${cases.join(' ')} ELSE x.word END`;
}

/** SearchDocumentStems's expression: both alphabets' lists in every WHEN, chosen per word. */
function earlierStemOf(word: string, cyrillic: string): string {
  const lengths = [...new Set([...LATVIAN_ENDINGS, ...RUSSIAN_ENDINGS].map((e) => e.length))].sort((a, b) => b - a);
  const ofLength = (list: string[], n: number) => `'{${list.filter((e) => e.length === n).join(',')}}'::text[]`;
  const cases = lengths.map(
    (n) =>
      `WHEN length(${word}) >= ${n + MIN_STEM} AND right(${word}, ${n}) = ANY(CASE WHEN ${cyrillic} THEN ${ofLength(RUSSIAN_ENDINGS, n)} ELSE ${ofLength(LATVIAN_ENDINGS, n)} END) THEN left(${word}, -${n})`,
  );
  return `CASE WHEN ${word} ~ '^[0-9]+$' THEN ${word} ${cases.join(' ')} ELSE ${word} END`;
}
