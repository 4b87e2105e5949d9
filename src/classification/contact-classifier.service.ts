import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Classification, classify, ClassifierModel, parseModel } from '@lib/contact-classifier';
import { DataSource } from 'typeorm';
import type { Language } from '../tickets/entities/ticket.entity';
import { ClassifierTrainingService } from './classifier-training.service';

/** How often a process looks for a newer model than the one it holds. */
const RELOAD_EVERY_MS = 30_000;

/**
 * The model this process classifies with. Classification is in-process CPU (a few microseconds a contact), so the
 * ingest batch never waits on anything for it. Every process (API and worker) loads the newest stored version at
 * start, trains the first one when none exists, and looks for a newer version every RELOAD_EVERY_MS (one indexed
 * read), so a retraining in any worker reaches all of them within that time.
 */
@Injectable()
export class ContactClassifierService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ContactClassifierService.name);
  private model: ClassifierModel | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly training: ClassifierTrainingService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.training.train({ onlyIfNone: true });
    await this.refresh();
    // A per-process cache refresh, not periodic work: each process holds its own copy of the model in memory and
    // must look for a newer one itself; the retraining, which is shared work, runs on a BullMQ job scheduler.
    this.timer = setInterval(
      () => void this.refresh().catch((err: Error) => this.logger.warn(`could not look for a newer classifier: ${err.message}`)),
      RELOAD_EVERY_MS,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  get version(): number | null {
    return this.model?.version ?? null;
  }

  /** Loads the newest stored model when it is not the one held. */
  async refresh(): Promise<void> {
    const [latest]: Array<{ version: number }> = await this.dataSource.query(
      'SELECT version FROM classifier_models ORDER BY version DESC LIMIT 1',
    );
    if (!latest || latest.version === this.model?.version) return;
    const [row]: Array<{ model: object }> = await this.dataSource.query('SELECT model FROM classifier_models WHERE version = $1', [
      latest.version,
    ]);
    if (!row) return;
    this.model = parseModel(row.model);
    this.logger.log(`classifying with model version ${this.model.version}`);
  }

  /** null only before the first model is loaded. */
  classify(text: string, language?: Language): Classification | null {
    return this.model ? classify(this.model, text, language) : null;
  }
}
