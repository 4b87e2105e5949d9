/**
 * Reads the small "Name: value" blocks of a delivery report (RFC 3464 §2.1) and of the header section of a
 * returned message. These are header syntax (RFC 5322 §2.2): a line starting with a space or a tab
 * continues the field above it. Full MIME parsing is mailparser's job; this only reads fields.
 */

export interface HeaderField {
  /** Lower-cased. */
  name: string;
  /** Unfolded and trimmed; encoded words are left as they are. */
  value: string;
}

/** Splits text into groups of fields at blank lines: a delivery-status part has a group per recipient. */
export function splitFieldGroups(text: string): HeaderField[][] {
  const groups: HeaderField[][] = [];
  for (const chunk of text.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)) {
    const fields = parseFields(chunk);
    if (fields.length > 0) groups.push(fields);
  }
  return groups;
}

/** The fields of the header section at the start of `text`, up to the first blank line. */
export function parseHeaderSection(text: string): HeaderField[] {
  return parseFields(text.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/, 1)[0] ?? '');
}

/** The first value of a field, or null when the field is missing. */
export function fieldValue(fields: readonly HeaderField[], name: string): string | null {
  const lower = name.toLowerCase();
  return fields.find((field) => field.name === lower)?.value ?? null;
}

function parseFields(chunk: string): HeaderField[] {
  const fields: HeaderField[] = [];
  let current: HeaderField | null = null;
  for (const line of chunk.split('\n')) {
    if (/^[ \t]/.test(line)) {
      // A continuation: folding is only whitespace, so it unfolds to a single space.
      if (current) current.value = `${current.value} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    // Obsolete syntax allows blanks before the colon ("Action : failed"), so they are not part of the name.
    const name = line.slice(0, Math.max(colon, 0)).trimEnd();
    // Not a field ("From sender@x Mon Mar 3" mbox lines, stray text): skipped, with anything folded below it.
    if (!/^[!-9;-~]+$/.test(name)) {
      current = null;
      continue;
    }
    current = { name: name.toLowerCase(), value: line.slice(colon + 1).trim() };
    fields.push(current);
  }
  return fields;
}
