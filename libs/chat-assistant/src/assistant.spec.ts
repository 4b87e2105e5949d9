import { asksForPerson, decide, DEFAULT_POLICY, handOverSummary } from './assistant';

const match = (score: number, topic: string | null = null, id = `a${score}`) => ({
  articleId: id,
  question: `Q ${id}`,
  answer: `Answer ${id}`,
  topic,
  score,
});

describe('the chat assistant (level 0)', () => {
  it('answers with the best article when confident, and asks whether it helped, in the visitor language', () => {
    const d = decide({ text: 'Kā pieteikt pabalstu?', language: 'lv', topic: null, matches: [match(0.4), match(0.8)], unsureTurns: 0 });
    expect(d).toMatchObject({ kind: 'answer', articleId: 'a0.8', askFeedback: true });
    expect(d.kind === 'answer' && d.text).toMatch(/Answer a0\.8[\s\S]*Vai tas palīdzēja\?$/);
    expect((decide({ text: 'x', language: 'ru', topic: null, matches: [match(0.9)], unsureTurns: 0 }) as { text: string }).text).toMatch(
      /Это помогло\?$/,
    );
  });

  it('offers the top matches as choices when unsure, at most three, best first', () => {
    const d = decide({
      text: 'pabalsts',
      language: 'en',
      topic: null,
      matches: [match(0.31), match(0.5), match(0.45), match(0.35), match(0.1)],
      unsureTurns: 0,
    });
    expect(d.kind).toBe('choices');
    expect(d.kind === 'choices' && d.choices.map((c) => c.articleId)).toEqual(['a0.5', 'a0.45', 'a0.35']);
  });

  it('says so when nothing fits', () => {
    expect(decide({ text: 'zzz', language: 'lv', topic: null, matches: [match(0.1)], unsureTurns: 0 })).toMatchObject({ kind: 'no-match' });
  });

  it('hands over when asked, in any of the three languages, with or without diacritics', () => {
    for (const text of [
      'Gribu runāt ar operatoru',
      'vai varu runat ar cilveku?',
      'Позовите оператора',
      'Можно с живым человеком?',
      'I want a real person',
      'talk to a human',
    ]) {
      expect(asksForPerson(text)).toBe(true);
      expect(decide({ text, language: 'lv', topic: null, matches: [match(0.95)], unsureTurns: 0 })).toEqual({
        kind: 'hand-over',
        reason: 'asked',
      });
    }
    expect(asksForPerson('Kā saņemt bezdarbnieka pabalstu?')).toBe(false);
  });

  it('hands over after the second unsure turn in a row', () => {
    expect(decide({ text: 'x', language: 'lv', topic: null, matches: [match(0.4)], unsureTurns: 0 }).kind).toBe('choices');
    expect(decide({ text: 'x', language: 'lv', topic: null, matches: [match(0.4)], unsureTurns: 1 })).toEqual({
      kind: 'hand-over',
      reason: 'unsure',
    });
    expect(decide({ text: 'x', language: 'lv', topic: null, matches: [], unsureTurns: 1 })).toEqual({
      kind: 'hand-over',
      reason: 'unsure',
    });
  });

  it('hands over at once on a configured topic, whether the session or the best article names it', () => {
    const policy = { ...DEFAULT_POLICY, handOverTopics: ['sūdzība'] };
    expect(decide({ text: 'x', language: 'lv', topic: 'Sūdzība', matches: [match(0.9)], unsureTurns: 0 }, policy)).toEqual({
      kind: 'hand-over',
      reason: 'topic',
    });
    expect(decide({ text: 'x', language: 'lv', topic: null, matches: [match(0.9, 'sūdzība')], unsureTurns: 0 }, policy)).toEqual({
      kind: 'hand-over',
      reason: 'topic',
    });
  });

  it('summarises the conversation for the operator, newest turns kept when it is long', () => {
    const transcript = Array.from({ length: 50 }, (_, i) => ({
      author: i % 2 ? 'assistant' : 'visitor',
      text: `turn ${i} ${'x'.repeat(40)}`,
    }));
    const summary = handOverSummary('unsure', [...transcript, { author: 'system', text: 'ignored' }], 500);
    expect(summary.length).toBeLessThanOrEqual(500);
    expect(summary).toMatch(/^The assistant was unsure twice\./);
    expect(summary).toContain('turn 49');
    expect(summary).not.toContain('turn 0 ');
    expect(summary).not.toContain('ignored');
  });
});
