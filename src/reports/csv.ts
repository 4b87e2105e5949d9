/** RFC 4180 CSV: a header from the first row's keys, every field quoted when it needs to be. */
export function toCsv(rows: Array<Record<string, unknown>>, columns?: string[]): string {
  const header = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  const field = (v: unknown) => {
    if (v === null || v === undefined) return '';
    // A structured value (a jsonb column) is written as JSON, not as "[object Object]".
    const s =
      v instanceof Date
        ? v.toISOString()
        : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint'
          ? String(v)
          : JSON.stringify(v);
    // A leading =, +, - or @ would run as a formula in a spreadsheet: prefixed, as OWASP advises.
    const safe = /^[=+\-@\t\r]/.test(s) && Number.isNaN(Number(s)) ? `'${s}` : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return [header.join(','), ...rows.map((r) => header.map((c) => field(r[c])).join(','))].join('\r\n') + '\r\n';
}
