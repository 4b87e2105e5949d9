/**
 * Counter contacts used to carry only a free-text `location` ("VPVKAC Cēsis, Raunas iela 4"). The funding report
 * needs the centre as a code from the centres list, so an old-style location is mapped to a centre only when it
 * names one unambiguously: its code, its name or its town, ignoring case, Latvian diacritics and punctuation,
 * optionally followed by a street address after a comma. Anything else maps to nothing, and the caller falls back
 * to the centre of the member of staff who logged the contact.
 */
export interface CentreNames {
  code: string;
  name: string;
  town: string | null;
}

const DIACRITICS: Record<string, string> = {
  ā: 'a',
  č: 'c',
  ē: 'e',
  ģ: 'g',
  ī: 'i',
  ķ: 'k',
  ļ: 'l',
  ņ: 'n',
  š: 's',
  ū: 'u',
  ž: 'z',
  ō: 'o',
  ŗ: 'r',
};

/** Lower case, Latvian letters as their base letters, every run of other characters as one space. */
export function normaliseCentreName(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFC')
    .replace(/[āčēģīķļņšūžōŗ]/g, (c) => DIACRITICS[c])
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function namesOf(centre: CentreNames): string[] {
  const names = [centre.code, centre.name, ...(centre.town ? [centre.town, `vpvkac ${centre.town}`] : [])];
  return [...new Set(names.map(normaliseCentreName).filter((n) => n.length > 0))];
}

/** The code of the one centre the location names, or null when it names none or more than one. */
export function centreOfLocation(location: string, centres: readonly CentreNames[]): string | null {
  // The part before the first comma is the place; what follows is usually the street address.
  const place = normaliseCentreName(location.split(',')[0]);
  if (!place) return null;
  const matches = centres.filter((c) => namesOf(c).includes(place));
  return matches.length === 1 ? matches[0].code : null;
}
