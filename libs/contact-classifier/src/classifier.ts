import { foldDiacritics, searchTerms, stem, TermsLanguage, words } from '@lib/search-terms';
import { NaiveBayesModel, predictNaiveBayes, trainNaiveBayes } from './naive-bayes';

/** What a contact asks for: to have something done (an application) or to be told something (a consultation). */
export type ContactKind = 'application' | 'consultation';

/** One labelled text: a seeded example, a knowledge-base question, or an operator's correction. */
export interface LabelledExample {
  text: string;
  language?: TermsLanguage;
  /** The institution's code; null for what belongs to no institution (the centre itself, small talk). */
  institution: string | null;
  /** The topic, in the institution's own (Latvian) wording; null when the example says nothing of it. */
  topic: string | null;
  /** null when the example says nothing of it (a knowledge-base question is always a consultation, but short). */
  kind: ContactKind | null;
  /**
   * How many examples this one counts as (1 unless said). An operator's correction is a real contact judged by a
   * person who knows the institutions, so the service gives it more weight than a written example.
   */
  weight?: number;
}

/** The model as stored: plain JSON, so any process can load the version another one trained. */
export interface ClassifierModel {
  format: 1;
  version: number;
  trainedAt: string;
  exampleCount: number;
  institution: NaiveBayesModel;
  /**
   * Institutions that offer the same services (the municipalities: kindergartens, social assistance, property tax
   * in every city). The institution model sees each group as one label; within it, a second model that knows only
   * the words exactly one member's examples use (the place names, the local bodies) picks the member. Without this,
   * the chance differences in how often each city's few examples used a shared service word outweigh its name.
   */
  groups: Array<{ label: string; members: string[]; model: NaiveBayesModel }>;
  /** Labels are `${institution}\u001f${topic}`, so a topic is only ever chosen within the predicted institution. */
  topic: NaiveBayesModel;
  kind: NaiveBayesModel;
}

export interface Classification {
  modelVersion: number;
  language: TermsLanguage;
  /** null: the text belongs to no institution the model knows (or says nothing it recognises). */
  institution: string | null;
  institutionConfidence: number;
  topic: string | null;
  topicConfidence: number;
  kind: ContactKind;
  kindConfidence: number;
  /** How many of the text's terms the model knew: 0 means it was guessing from the priors alone. */
  knownTerms: number;
}

/**
 * Below this confidence a contact is left unclassified (routed to the general queue). At 0.3, on the seeded
 * examples, few right answers fall below it and most texts that belong to no institution do.
 */
export const DEFAULT_MIN_CONFIDENCE = 0.3;

/** The label of "no institution": never an institution code, which are letters only. */
export const NO_INSTITUTION = '-';
const GROUP_PREFIX = '*group';
const SEP = '\u001f';

const ENGLISH_HINTS = new Set(
  'the and is are my i you how what when where can do does to of for with please hello apply get need want have'.split(' '),
);

/**
 * The language of a citizen's text when the channel does not say: Cyrillic is Russian; otherwise Latvian unless
 * the text has no Latvian letters and at least two common English words.
 */
export function guessLanguage(text: string): TermsLanguage {
  if (/[\u0400-\u04FF]/.test(text)) return 'ru';
  if (/[āčēģīķļņšūž]/i.test(text)) return 'lv';
  const hits = words(text).filter((w) => ENGLISH_HINTS.has(w)).length;
  return hits >= 2 ? 'en' : 'lv';
}

/** Subject terms: what the text is about (stop words and greetings dropped), as the knowledge-base search sees them. */
export function subjectTerms(text: string, language: TermsLanguage): string[] {
  return searchTerms(text, language).filter((t) => !GENERIC_STEMS.has(t));
}

/**
 * Stems every institution's questions share (to get, to receive, new, old, question, help, the greeting): the
 * knowledge-base search may keep them, but here they only echo which label happened to have more examples in that
 * language.
 */
const GENERIC_STEMS = new Set([
  'sanem',
  'sanemt',
  'jaun',
  'vec',
  'jautajum',
  'palidz',
  'labdien',
  'sveik',
  'paldies',
  'получ',
  'получи',
  'получен',
  'нов',
  'стар',
  'вопрос',
  'помоч',
  'помощ',
  'здравствуйт',
  'добр',
  'ден',
  'help',
  'question',
  'new',
  'old',
  'hi',
  'dear',
]);

/**
 * Kind terms: how the text asks. Here the little words matter ("lūdzu piešķirt", "vēlos pieteikties", "how do I"),
 * so nothing is dropped; a question mark is a term of its own.
 */
export function kindTerms(text: string, language: TermsLanguage): string[] {
  const out = new Set<string>();
  for (const w of words(text)) {
    const lang: TermsLanguage = /[\u0400-\u04FF]/.test(w) ? 'ru' : language === 'ru' ? 'lv' : language;
    out.add(stem(w, lang));
  }
  if (text.includes('?')) out.add('?');
  return [...out];
}

export interface TrainingOptions {
  /** Institutions that offer the same services, told apart by the words only one of them uses (see groups). */
  sharedServiceGroups?: string[][];
  now?: Date;
}

export function trainClassifier(examples: readonly LabelledExample[], version: number, options: TrainingOptions = {}): ClassifierModel {
  const now = options.now ?? new Date();
  const prepared = examples.map((e) => {
    const language = e.language ?? guessLanguage(e.text);
    return { e, terms: subjectTerms(e.text, language), kindTerms: kindTerms(e.text, language) };
  });
  const institutionOf = (e: LabelledExample) => e.institution ?? NO_INSTITUTION;
  const groupOf = new Map<string, string>();
  const groups = (options.sharedServiceGroups ?? []).map((members, i) => {
    const label = `${GROUP_PREFIX}${i}`;
    for (const m of members) groupOf.set(m, label);
    const inGroup = prepared.filter((p) => members.includes(institutionOf(p.e)));
    const usedBy = new Map<string, Set<string>>();
    for (const p of inGroup) for (const t of p.terms) (usedBy.get(t) ?? usedBy.set(t, new Set()).get(t)!).add(institutionOf(p.e));
    const own = (t: string) => usedBy.get(t)!.size === 1;
    return {
      label,
      members: [...members],
      model: trainNaiveBayes(
        inGroup.map((p) => ({ terms: p.terms.filter(own), label: institutionOf(p.e), weight: p.e.weight })),
        { uniformPrior: true },
      ),
    };
  });
  return {
    format: 1,
    version,
    trainedAt: now.toISOString(),
    exampleCount: examples.length,
    institution: trainNaiveBayes(
      prepared.map((p) => ({ terms: p.terms, label: groupOf.get(institutionOf(p.e)) ?? institutionOf(p.e), weight: p.e.weight })),
      { uniformPrior: true },
    ),
    groups,
    topic: trainNaiveBayes(
      prepared
        .filter((p) => p.e.topic)
        .map((p) => ({ terms: p.terms, label: `${institutionOf(p.e)}${SEP}${normaliseTopic(p.e.topic!)}`, weight: p.e.weight })),
    ),
    kind: trainNaiveBayes(prepared.filter((p) => p.e.kind).map((p) => ({ terms: p.kindTerms, label: p.e.kind!, weight: p.e.weight }))),
  };
}

/** Topics are free text typed by people: one spelling per topic, whatever the case and spacing. */
export function normaliseTopic(topic: string): string {
  return topic.trim().replace(/\s+/g, ' ').toLocaleLowerCase('lv');
}

export function classify(model: ClassifierModel, text: string, language?: TermsLanguage): Classification {
  const lang = language ?? guessLanguage(text);
  const terms = subjectTerms(text, lang);
  const { label, confidence, knownTerms } = predictInstitution(model, terms);
  const known = knownTerms > 0;
  const topic =
    known && model.topic.labels.length > 0
      ? predictNaiveBayes(model.topic, terms, (l) => l.startsWith(`${label}${SEP}`)).ranked[0]
      : undefined;
  const kind = model.kind.labels.length > 0 ? predictNaiveBayes(model.kind, kindTerms(text, lang)).ranked[0] : undefined;
  return {
    modelVersion: model.version,
    language: lang,
    institution: known && label !== NO_INSTITUTION ? label : null,
    institutionConfidence: known ? round(confidence) : 0,
    topic: topic ? topic.label.split(SEP)[1] : null,
    topicConfidence: topic ? round(topic.p) : 0,
    kind: (kind?.label as ContactKind | undefined) ?? 'consultation',
    kindConfidence: kind ? round(kind.p) : 0,
    knownTerms,
  };
}

/** The institution and P(institution | text); for a group, P(group) × P(member | group, the members' own words). */
function predictInstitution(model: ClassifierModel, terms: string[]): { label: string; confidence: number; knownTerms: number } {
  const first = predictNaiveBayes(model.institution, terms);
  const top = first.ranked[0];
  if (!top) return { label: NO_INSTITUTION, confidence: 0, knownTerms: 0 };
  const group = model.groups.find((g) => g.label === top.label);
  if (!group) return { label: top.label, confidence: top.p, knownTerms: first.knownTerms };
  const member = predictNaiveBayes(group.model, terms).ranked[0];
  return { label: member.label, confidence: top.p * member.p, knownTerms: first.knownTerms };
}

const round = (p: number) => Math.round(p * 1000) / 1000;

export function serialiseModel(model: ClassifierModel): string {
  return JSON.stringify(model);
}

/** Refuses what is not a model of this format, rather than classifying with half a model. */
export function parseModel(json: string | object): ClassifierModel {
  const m = (typeof json === 'string' ? JSON.parse(json) : json) as Partial<ClassifierModel>;
  const nb = (x: unknown): x is NaiveBayesModel =>
    typeof x === 'object' &&
    x !== null &&
    Array.isArray((x as NaiveBayesModel).labels) &&
    Array.isArray((x as NaiveBayesModel).logPrior) &&
    typeof (x as NaiveBayesModel).logLikelihood === 'object';
  if (
    m.format !== 1 ||
    !Number.isInteger(m.version) ||
    !nb(m.institution) ||
    !nb(m.topic) ||
    !nb(m.kind) ||
    !Array.isArray(m.groups) ||
    !m.groups.every((g) => nb(g.model))
  ) {
    throw new Error('not a contact-classifier model of format 1');
  }
  return m as ClassifierModel;
}

/** For tests and tools: the folded form used to compare texts. */
export const fold = foldDiacritics;
