declare global {
  interface String {
    isWellFormed(): boolean;
    toWellFormed(): string;
  }
}

/**
 * PostgreSQL text cannot hold NUL, and jsonb refuses the `\ud800` escape JSON.stringify writes for half a
 * surrogate pair: either one reaching a query is a 500. Nobody means them, so bodies lose them (a lone half
 * becomes U+FFFD), and identifiers and search terms that carry them are refused.
 */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && text.isWellFormed();
}

export function toStorableText(text: string): string {
  return isStorableText(text) ? text : text.replaceAll('\u0000', '').toWellFormed();
}

/** Deeper than a body that passed the JSON depth limit can be. */
const MAX_WALK_DEPTH = 64;

/** Every string in a parsed body made storable, in place; the (possibly replaced) value is returned. */
export function makeTextStorable<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return toStorableText(value) as T;
  if (value === null || typeof value !== 'object' || depth > MAX_WALK_DEPTH) return value;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const cleanKey = toStorableText(key);
    const cleanValue = makeTextStorable(record[key], depth + 1);
    if (cleanKey !== key) {
      delete record[key];
      // defineProperty: a key cleaned into "__proto__" stays a plain property, as JSON.parse made it.
      Object.defineProperty(record, cleanKey, { value: cleanValue, enumerable: true, writable: true, configurable: true });
    } else if (cleanValue !== record[key]) {
      record[key] = cleanValue;
    }
  }
  return value;
}

/** Paths (`q`, `filter.status[1]`) of the strings that cannot be stored. */
export function unstorableTextPaths(value: unknown, path = '', depth = 0): string[] {
  if (typeof value === 'string') return isStorableText(value) ? [] : [path || 'value'];
  if (value === null || typeof value !== 'object' || depth > MAX_WALK_DEPTH) return [];
  const out: string[] = [];
  const isArray = Array.isArray(value);
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const at = isArray ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    if (!isStorableText(key)) out.push(at);
    else out.push(...unstorableTextPaths(item, at, depth + 1));
  }
  return out;
}
