import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ClassifierModel,
  ContactKind,
  GLOSSARY_EXAMPLES,
  LabelledExample,
  SEED_EXAMPLES,
  SHARED_SERVICE_GROUPS,
  trainClassifier,
} from '@lib/contact-classifier';
import { DataSource } from 'typeorm';

/** An operator's correction counts as this many written examples (see LabelledExample.weight). */
export const CORRECTION_WEIGHT = 3;

/** Older models are kept a while, so a ticket's classifier_version can still be looked up; not for ever. */
const MODELS_KEPT = 10;

/**
 * Builds the classifier from everything labelled: the seeded examples and glossary, the published knowledge
 * articles (each question is an example of its institution and topic), and operators' corrections; stores it as the
 * next version. Two processes training at once (two workers' scheduled runs, or two starting up on an empty table)
 * serialise on an advisory lock, and the second one does nothing when the first already trained on the same data.
 */
@Injectable()
export class ClassifierTrainingService {
  private readonly logger = new Logger(ClassifierTrainingService.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Trains and stores a new version; `onlyIfNone`: only when no model exists yet (first start). */
  async train(options: { onlyIfNone?: boolean } = {}): Promise<{ version: number; exampleCount: number; correctionCount: number } | null> {
    return this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('vpppd:classifier-training'))`);
      const [latest]: Array<{ version: number }> = await m.query('SELECT version FROM classifier_models ORDER BY version DESC LIMIT 1');
      if (options.onlyIfNone && latest) return null;
      const articles: Array<{ code: string | null; topic: string | null; language: 'lv' | 'ru' | 'en'; questions: string[] }> =
        await m.query(
          `SELECT i.code, a.topic, a.language, a.questions FROM knowledge_articles a LEFT JOIN institutions i ON i.id = a.institution_id
         WHERE a.published ORDER BY a.created_at, a.id`,
        );
      // The text of a corrected ticket is what the citizen first wrote: its subject and its first customer message.
      const corrections: Array<{
        code: string | null;
        topic: string | null;
        kind: string | null;
        language: 'lv' | 'ru' | 'en';
        text: string | null;
      }> = await m.query(
        `SELECT i.code, c.topic, c.kind, t.language,
                concat_ws(E'\\n', t.subject, (SELECT ms.text FROM messages ms WHERE ms.ticket_id = t.id AND ms.direction = 'inbound' AND ms.author_type = 'customer'
                                             ORDER BY ms.created_at, ms.id LIMIT 1)) AS text
         FROM classification_corrections c JOIN tickets t ON t.id = c.ticket_id LEFT JOIN institutions i ON i.id = coalesce(c.institution_id, t.institution_id)
         ORDER BY c.updated_at, c.ticket_id`,
      );
      const examples: LabelledExample[] = [
        ...SEED_EXAMPLES,
        ...GLOSSARY_EXAMPLES,
        ...articles.flatMap((a) =>
          a.questions.map((q) => ({ text: q, language: a.language, institution: a.code, topic: a.topic, kind: 'consultation' as const })),
        ),
        ...corrections
          .filter((c) => c.text && c.text.trim())
          .map((c) => ({
            text: c.text!,
            language: c.language,
            institution: c.code,
            topic: c.topic,
            kind: asKind(c.kind),
            weight: CORRECTION_WEIGHT,
          })),
      ];
      const version = (latest?.version ?? 0) + 1;
      const started = Date.now();
      const model: ClassifierModel = trainClassifier(examples, version, { sharedServiceGroups: SHARED_SERVICE_GROUPS });
      await m.query(`INSERT INTO classifier_models (version, model, example_count, correction_count) VALUES ($1, $2, $3, $4)`, [
        version,
        JSON.stringify(model),
        examples.length,
        corrections.length,
      ]);
      await m.query('DELETE FROM classifier_models WHERE version <= $1', [version - MODELS_KEPT]);
      this.logger.log(
        `classifier version ${version} trained on ${examples.length} examples (${corrections.length} corrections) in ${Date.now() - started} ms`,
      );
      return { version, exampleCount: examples.length, correctionCount: corrections.length };
    });
  }
}

/** Only application and consultation are kinds the model predicts; a complaint or suggestion says nothing of them. */
function asKind(kind: string | null): ContactKind | null {
  return kind === 'application' || kind === 'consultation' ? kind : null;
}
