import { guessLanguage, LabelledExample } from '../classifier';

/** [topic, a(pplication) or c(onsultation), the text as a citizen wrote it] */
export type Row = [topic: string | null, kind: 'a' | 'c', text: string];

export function examplesOf(institution: string | null, rows: Row[]): LabelledExample[] {
  return rows.map(([topic, kind, text]) => ({
    text,
    language: guessLanguage(text),
    institution,
    topic,
    kind: kind === 'a' ? 'application' : 'consultation',
  }));
}
