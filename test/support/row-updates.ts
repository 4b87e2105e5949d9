import type { TestEnv } from './test-env';

/**
 * Counts every UPDATE of `table`'s rows, by the value of their `key` column, through a trigger of the test's own in
 * its schema: a row written once shows no update, one rewritten in the same transaction shows one. `stop` drops the
 * trigger and what it counted, so that the next count starts afresh.
 */
export async function countRowUpdates(
  env: TestEnv,
  table: string,
  key: string,
): Promise<{ of(id: string): Promise<number>; stop(): Promise<void> }> {
  const s = `"${env.name}"`;
  const seen = `${table}_updates_seen`;
  await env.sql(`CREATE TABLE ${s}.${seen} (id uuid NOT NULL)`);
  await env.sql(
    `CREATE FUNCTION ${s}.count_${table}_update() RETURNS trigger LANGUAGE plpgsql AS $fn$
     BEGIN INSERT INTO ${s}.${seen} VALUES (NEW.${key}); RETURN NULL; END $fn$`,
  );
  await env.sql(
    `CREATE TRIGGER count_${table}_update AFTER UPDATE ON ${s}.${table} FOR EACH ROW EXECUTE FUNCTION ${s}.count_${table}_update()`,
  );
  return {
    of: async (id) => (await env.sql(`SELECT 1 FROM ${s}.${seen} WHERE id = $1`, [id])).length,
    stop: async () => {
      await env.sql(`DROP TRIGGER count_${table}_update ON ${s}.${table}`);
      await env.sql(`DROP FUNCTION ${s}.count_${table}_update()`);
      await env.sql(`DROP TABLE ${s}.${seen}`);
    },
  };
}
