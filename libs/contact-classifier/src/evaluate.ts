import { classify, ClassifierModel, LabelledExample, NO_INSTITUTION, trainClassifier, TrainingOptions } from './classifier';

export interface Evaluation {
  trained: number;
  threshold: number;
  heldOut: number;
  institutionAccuracy: number;
  topicAccuracy: number;
  kindAccuracy: number;
  perInstitution: Array<{ institution: string; support: number; precision: number; recall: number }>;
  errors: Array<{ text: string; expected: string; predicted: string; confidence: number }>;
}

/**
 * A reproducible split: every `every`-th example of each institution (in the order written) is held out, so every
 * institution is tested in proportion, and the same examples are held out on every run.
 */
export function splitHeldOut(
  examples: readonly LabelledExample[],
  every = 5,
  fold = 0,
): { train: LabelledExample[]; test: LabelledExample[] } {
  const seen = new Map<string, number>();
  const train: LabelledExample[] = [];
  const test: LabelledExample[] = [];
  for (const e of examples) {
    const key = e.institution ?? NO_INSTITUTION;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    (n % every === fold ? test : train).push(e);
  }
  return { train, test };
}

export function evaluate(
  model: ClassifierModel,
  test: readonly LabelledExample[],
  trained = model.exampleCount,
  threshold = 0,
): Evaluation {
  // What routing does: below the threshold a contact has no institution (it goes to the general queue).
  const results = test.map((e) => {
    const c = classify(model, e.text, e.language);
    return { e, c: c.institutionConfidence >= threshold ? c : { ...c, institution: null } };
  });
  const label = (x: string | null) => x ?? NO_INSTITUTION;
  const institutions = [...new Set(test.map((t) => label(t.institution)))].sort();
  const perInstitution = institutions.map((inst) => {
    const predictedHere = results.filter((r) => label(r.c.institution) === inst);
    const actualHere = results.filter((r) => label(r.e.institution) === inst);
    const hits = actualHere.filter((r) => label(r.c.institution) === inst).length;
    return {
      institution: inst,
      support: actualHere.length,
      precision: predictedHere.length === 0 ? 0 : hits / predictedHere.length,
      recall: actualHere.length === 0 ? 0 : hits / actualHere.length,
    };
  });
  const share = (ok: (r: (typeof results)[number]) => boolean, of = results) => (of.length === 0 ? 0 : of.filter(ok).length / of.length);
  const withTopic = results.filter((r) => r.e.topic !== null);
  const withKind = results.filter((r) => r.e.kind !== null);
  return {
    trained,
    threshold,
    heldOut: test.length,
    institutionAccuracy: share((r) => label(r.c.institution) === label(r.e.institution)),
    topicAccuracy: share((r) => r.c.topic === r.e.topic?.trim().toLocaleLowerCase('lv'), withTopic),
    kindAccuracy: share((r) => r.c.kind === r.e.kind, withKind),
    perInstitution,
    errors: results
      .filter((r) => label(r.c.institution) !== label(r.e.institution))
      .map((r) => ({
        text: r.e.text,
        expected: label(r.e.institution),
        predicted: label(r.c.institution),
        confidence: r.c.institutionConfidence,
      })),
  };
}

/**
 * Trains on the training part (and on `alsoTrainOn`, e.g. the glossary) and evaluates on the held-out part, counting a
 * prediction below `threshold` as "no institution", as routing does.
 */
export function holdOutEvaluation(
  examples: readonly LabelledExample[],
  options: TrainingOptions & { every?: number; fold?: number; alsoTrainOn?: readonly LabelledExample[]; threshold?: number } = {},
): Evaluation {
  const { every = 5, alsoTrainOn = [], threshold = 0, fold = 0 } = options;
  const { train, test } = splitHeldOut(examples, every, fold);
  return evaluate(trainClassifier([...train, ...alsoTrainOn], 0, options), test, train.length + alsoTrainOn.length, threshold);
}

export function formatEvaluation(ev: Evaluation): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const lines = [
    `trained on ${ev.trained}, held out ${ev.heldOut}${ev.threshold ? `, confidence threshold ${ev.threshold}` : ''}`,
    `institution accuracy ${pct(ev.institutionAccuracy)}, topic ${pct(ev.topicAccuracy)}, kind ${pct(ev.kindAccuracy)}`,
    'institution   support  precision  recall',
    ...ev.perInstitution.map(
      (p) => `${p.institution.padEnd(12)} ${String(p.support).padStart(8)}  ${pct(p.precision).padStart(9)}  ${pct(p.recall).padStart(7)}`,
    ),
  ];
  return lines.join('\n');
}

/**
 * Every example held out once: `every` folds, each trained on the others. The single split above is what the goal
 * is checked on; cross-validation says whether that split was a lucky one.
 */
export function crossValidate(
  examples: readonly LabelledExample[],
  options: TrainingOptions & { every?: number; alsoTrainOn?: readonly LabelledExample[]; threshold?: number } = {},
): { folds: number[]; mean: number } {
  const every = options.every ?? 5;
  const folds = Array.from({ length: every }, (_, fold) => holdOutEvaluation(examples, { ...options, every, fold }).institutionAccuracy);
  return { folds, mean: folds.reduce((a, b) => a + b, 0) / folds.length };
}
