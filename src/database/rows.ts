/**
 * The rows of a `RETURNING` clause from TypeORM's raw `query()`. For INSERT it gives the rows; for UPDATE and
 * DELETE it gives `[rows, affectedCount]` — easy to misread as "the first row", so every caller goes through this.
 */
export function returnedRows<T = Record<string, any>>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
