import { ChatLanguage, say } from './texts';

/** One knowledge-base match as the assistant needs it. */
export interface AssistantMatch {
  articleId: string;
  /** The article's first question variant: what a choice button shows. */
  question: string;
  answer: string;
  topic: string | null;
  /** Confidence in [0, 1] from the knowledge search. */
  score: number;
}

export interface AssistantPolicy {
  /** At or above: the best article is the answer. */
  answerAt: number;
  /** At or above (and below answerAt): the top matches are offered as choices. Below: nothing fits. */
  suggestAt: number;
  /** How many choices at most. */
  maxChoices: number;
  /** After this many unsure turns in a row the chat goes to a person. */
  unsureTurnsBeforeHandOver: number;
  /** Topics (lower-case) the assistant never answers itself. */
  handOverTopics: string[];
}

export const DEFAULT_POLICY: AssistantPolicy = {
  answerAt: 0.6,
  suggestAt: 0.3,
  maxChoices: 3,
  unsureTurnsBeforeHandOver: 2,
  handOverTopics: [],
};

export type HandOverReason = 'asked' | 'unsure' | 'topic';

export type AssistantDecision =
  | { kind: 'answer'; text: string; articleId: string; score: number; askFeedback: true }
  | { kind: 'choices'; text: string; choices: Array<{ articleId: string; question: string; score: number }> }
  | { kind: 'no-match'; text: string }
  | { kind: 'hand-over'; reason: HandOverReason };

/** Phrases that ask for a person, in the three languages, after folding case and Latvian diacritics. */
const ASKS_FOR_PERSON = [
  /\boperator/,
  /\bcilvek/,
  /\bkonsultant/,
  /\bdarbinie/,
  /\bspeciālist|\bspecialist/,
  /оператор/,
  /человек/,
  /консультант/,
  /живо/,
  /\b(a )?(real )?person\b/,
  /\bhuman\b/,
  /\bagent\b/,
];

export function fold(text: string): string {
  return text
    .toLocaleLowerCase('lv')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');
}

export function asksForPerson(text: string): boolean {
  const folded = fold(text);
  // Folding strips the Cyrillic й's breve too; the patterns above are written without it.
  return ASKS_FOR_PERSON.some((p) => p.test(folded));
}

/**
 * What level 0 does with one visitor message. Pure: the caller has already searched the knowledge base (in the
 * visitor's language) and knows how many unsure turns came before this one.
 */
export function decide(
  input: { text: string; language: ChatLanguage; topic: string | null; matches: AssistantMatch[]; unsureTurns: number },
  policy: AssistantPolicy = DEFAULT_POLICY,
): AssistantDecision {
  if (asksForPerson(input.text)) return { kind: 'hand-over', reason: 'asked' };
  const topics = new Set(policy.handOverTopics.map((t) => t.toLocaleLowerCase('lv')));
  if (input.topic && topics.has(input.topic.toLocaleLowerCase('lv'))) return { kind: 'hand-over', reason: 'topic' };
  const ranked = [...input.matches].sort((a, b) => b.score - a.score);
  const best = ranked[0];
  // A confident answer on a topic only people handle is still not given: the person gives it.
  if (best && best.score >= policy.answerAt && best.topic && topics.has(best.topic.toLocaleLowerCase('lv'))) {
    return { kind: 'hand-over', reason: 'topic' };
  }
  if (best && best.score >= policy.answerAt) {
    return {
      kind: 'answer',
      text: `${best.answer}\n\n${say('didThisHelp', input.language)}`,
      articleId: best.articleId,
      score: best.score,
      askFeedback: true,
    };
  }
  // This turn is unsure too: once too many are, trying again only wastes the visitor's time.
  if (input.unsureTurns + 1 >= policy.unsureTurnsBeforeHandOver) return { kind: 'hand-over', reason: 'unsure' };
  const choices = ranked.filter((m) => m.score >= policy.suggestAt).slice(0, policy.maxChoices);
  if (choices.length > 0) {
    return {
      kind: 'choices',
      text: say('choices', input.language),
      choices: choices.map((c) => ({ articleId: c.articleId, question: c.question, score: c.score })),
    };
  }
  return { kind: 'no-match', text: say('noMatch', input.language) };
}

/** The hand-over summary the operator reads first: why, and what the visitor asked and was told. */
export function handOverSummary(reason: HandOverReason, transcript: Array<{ author: string; text: string }>, maxLength = 1500): string {
  const why = {
    asked: 'The visitor asked for a person.',
    unsure: 'The assistant was unsure twice.',
    topic: 'The topic is handled by people only.',
  }[reason];
  // The greeting and anything else before the visitor's first words tell the operator nothing.
  const firstWords = transcript.findIndex((m) => m.author === 'visitor');
  const lines = transcript
    .slice(Math.max(firstWords, 0))
    .filter((m) => m.author === 'visitor' || m.author === 'assistant')
    .map((m) => `${m.author === 'visitor' ? 'Visitor' : 'Assistant'}: ${m.text.replace(/\s+/g, ' ').trim()}`);
  let body = lines.join('\n');
  // The latest turns matter most; older ones are cut first.
  while (body.length > maxLength - why.length - 2 && lines.length > 1) body = (lines.shift(), lines.join('\n'));
  return `${why}\n${body}`.slice(0, maxLength);
}
