/**
 * Classifier benchmark (not a test: it prints figures and exits 0 whether or not the goals are met).
 *
 * Level 0's classifier (libs/contact-classifier) on the seeded labelled examples:
 *   - accuracy on the held-out split (every 5th example of each institution, the same on every run), with each
 *     institution's precision and recall, and 5-fold cross-validation beside it;
 *   - classifications per second and the time of one classification (p50, p99), over --texts contacts made of the
 *     seeded texts, BESIDE the knowledge-base search alone (KnowledgeSearchService, PostgreSQL) on the same texts in
 *     the same run: the search is what level 0 already did for every contact before the classifier;
 *   - training time for --train-size labelled examples (the seeded ones, the glossary and the knowledge base's
 *     questions, repeated until there are that many; repeats cost the same terms to count as new texts of that
 *     length would), median of --repeats runs, beside training on the real, unrepeated set.
 *
 *   npm run bench:classify -- --texts 2000 --train-size 10000
 *
 * The knowledge base lives in a fresh schema (migrations seed the articles), removed at the end, also on Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  classify,
  crossValidate,
  DEFAULT_MIN_CONFIDENCE,
  evaluate,
  formatEvaluation,
  GLOSSARY_EXAMPLES,
  LabelledExample,
  SEED_EXAMPLES,
  SHARED_SERVICE_GROUPS,
  splitHeldOut,
  trainClassifier,
} from '@lib/contact-classifier';
import { dataSourceOptions, migrate } from '../src/database/database-options';
import { KnowledgeSearchService } from '../src/knowledge/knowledge-search.service';
import { ReplicaReads } from '../src/database/replica-reads';
import { now, onCleanup, runBench } from './support/lifecycle';
import { parseFlags } from './support/options';
import { fmt, machineLine, table } from './support/report';
import { DATABASE_URL } from './support/service';

const GOAL_ACCURACY = 0.9;
const GOAL_ADDED_SHARE = 0.2;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

function timings(samples: number[], wallMs: number) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    perSecond: (samples.length / wallMs) * 1000,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: samples.reduce((s, x) => s + x, 0) / samples.length,
  };
}

async function main(): Promise<void> {
  const flags = parseFlags(
    'npm run bench:classify -- [--texts N] [--train-size N] [--repeats N]',
    { texts: { type: 'string' }, 'train-size': { type: 'string' }, repeats: { type: 'string' } },
    [
      ['--texts N', 'contacts classified and searched (default 2000)'],
      ['--train-size N', 'labelled examples of the timed training (default 10000)'],
      ['--repeats N', 'timed trainings, the median is reported (default 5)'],
    ],
  );
  const textCount = flags.int(flags.values.texts, 'TEXTS', 2000, 10, 1_000_000);
  const trainSize = flags.int(flags.values['train-size'], 'TRAIN_SIZE', 10_000, 100, 1_000_000);
  const repeats = flags.int(flags.values.repeats, 'REPEATS', 5, 1, 100);

  const schema = `bench_classify_${randomBytes(4).toString('hex')}`;
  const dataSource = new DataSource(dataSourceOptions({ DATABASE_URL, DATABASE_SCHEMA: schema, DATABASE_POOL_SIZE: 2 }));
  await dataSource.initialize();
  onCleanup('schema', async () => {
    await dataSource.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await dataSource.destroy();
  });
  await migrate(dataSource, schema);
  const knowledge = new KnowledgeSearchService(dataSource, new ReplicaReads(dataSource));
  await knowledge.reindexStale();
  const [{ version: pgVersion }] = await dataSource.query(`SELECT current_setting('server_version') AS version`);
  const articles: Array<{ code: string | null; topic: string | null; language: 'lv' | 'ru' | 'en'; questions: string[] }> =
    await dataSource.query(
      `SELECT i.code, a.topic, a.language, a.questions FROM knowledge_articles a LEFT JOIN institutions i ON i.id = a.institution_id WHERE a.published`,
    );
  const articleExamples: LabelledExample[] = articles.flatMap((a) =>
    a.questions.map((q) => ({ text: q, language: a.language, institution: a.code, topic: a.topic, kind: 'consultation' as const })),
  );

  // Accuracy: trained as the service trains (seeds, glossary, articles), the held-out seeds never seen.
  const { train, test } = splitHeldOut(SEED_EXAMPLES);
  const options = { sharedServiceGroups: SHARED_SERVICE_GROUPS };
  const model = trainClassifier([...train, ...GLOSSARY_EXAMPLES, ...articleExamples], 1, options);
  // As routing judges it: below the confidence threshold a contact has no institution (the general queue).
  const heldOut = evaluate(model, test, train.length + GLOSSARY_EXAMPLES.length + articleExamples.length, DEFAULT_MIN_CONFIDENCE);
  const folds = crossValidate(SEED_EXAMPLES, {
    ...options,
    every: 5,
    alsoTrainOn: [...GLOSSARY_EXAMPLES, ...articleExamples],
    threshold: DEFAULT_MIN_CONFIDENCE,
  });

  // Throughput: the same texts through the classifier, then through the knowledge-base search alone.
  const pool = SEED_EXAMPLES.map((e) => e.text);
  const texts = Array.from({ length: textCount }, (_, i) => pool[i % pool.length]);
  for (const text of texts.slice(0, 50)) classify(model, text); // warm-up (JIT), not measured
  const classifyMs: number[] = [];
  let started = now();
  for (const text of texts) {
    const t0 = now();
    classify(model, text);
    classifyMs.push(now() - t0);
  }
  const classified = timings(classifyMs, now() - started);
  for (const text of texts.slice(0, 20)) await knowledge.search(text);
  const searchMs: number[] = [];
  started = now();
  for (const text of texts) {
    const t0 = now();
    await knowledge.search(text);
    searchMs.push(now() - t0);
  }
  const searched = timings(searchMs, now() - started);

  // Training: the real set once, and `trainSize` examples (the real set repeated) `repeats` times.
  const real = [...SEED_EXAMPLES, ...GLOSSARY_EXAMPLES, ...articleExamples];
  const big = Array.from({ length: trainSize }, (_, i) => real[i % real.length]);
  const time = (examples: LabelledExample[]) => {
    const t0 = now();
    trainClassifier(examples, 1, options);
    return now() - t0;
  };
  time(real); // warm-up
  const realMs = [...Array(repeats)].map(() => time(real)).sort((a, b) => a - b)[Math.floor(repeats / 2)];
  const bigMs = [...Array(repeats)].map(() => time(big)).sort((a, b) => a - b)[Math.floor(repeats / 2)];

  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const lines = [
    machineLine(pgVersion),
    `data      ${SEED_EXAMPLES.length} seeded examples (${train.length} trained, ${test.length} held out), ${GLOSSARY_EXAMPLES.length} glossary, ${articleExamples.length} knowledge-base questions; ${textCount} texts timed`,
    '',
    'held-out accuracy (the goal is checked here)',
    formatEvaluation(heldOut),
    `goal ≥ ${pct(GOAL_ACCURACY)} institution accuracy: ${heldOut.institutionAccuracy >= GOAL_ACCURACY ? 'met' : 'NOT met'}`,
    `5-fold cross-validation: institution accuracy ${folds.folds.map(pct).join(', ')}; mean ${pct(folds.mean)}`,
    '',
    'per contact, same texts, same run',
    table([
      ['', 'per second', 'mean ms', 'p50 ms', 'p99 ms'],
      ['classifier (in process)', fmt(classified.perSecond), fmt(classified.mean, 3), fmt(classified.p50, 3), fmt(classified.p99, 3)],
      [
        'knowledge-base search alone (PostgreSQL)',
        fmt(searched.perSecond),
        fmt(searched.mean, 3),
        fmt(searched.p50, 3),
        fmt(searched.p99, 3),
      ],
      [
        'ratio classifier / search',
        '',
        fmt(classified.mean / searched.mean, 3),
        fmt(classified.p50 / searched.p50, 3),
        fmt(classified.p99 / searched.p99, 3),
      ],
    ]),
    `the classifier's time per contact is ${pct(classified.mean / searched.mean)} of the search's that level 0 already runs (the goal for the ingest benchmark's CPU per event: ≤ ${pct(GOAL_ADDED_SHARE)} added; measure that with npm run bench -- --free-text)`,
    '',
    'training (median of ' + repeats + ')',
    table([
      ['', 'examples', 'ms'],
      ['the real set (baseline)', fmt(real.length), fmt(realMs, 1)],
      [`${fmt(trainSize)} examples (the real set repeated)`, fmt(big.length), fmt(bigMs, 1)],
      ['ratio', fmt(big.length / real.length, 2), fmt(bigMs / realMs, 2)],
    ]),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

runBench(main);
