import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { PeriodicWork, QueueProcessor } from '../../common/queue-processor';
import { JobName, QueueName } from '../../queues';
import { ClassifierTrainingService } from '../classifier-training.service';
import { ContactClassifierService } from '../contact-classifier.service';

/**
 * Retrains the contact classifier on a schedule shared by all workers (one job per tick), one run at a time in each
 * worker (concurrency 1) and across workers (the training takes an advisory lock). Safe to run twice: a second run
 * only stores one more, identical, version.
 */
@Processor(QueueName.Classifier, { concurrency: 1 })
export class ClassifierRetrainProcessor extends QueueProcessor {
  constructor(
    private readonly training: ClassifierTrainingService,
    private readonly classifier: ContactClassifierService,
    private readonly config: AppConfig,
    @InjectQueue(QueueName.Classifier) queue: Queue,
  ) {
    super(QueueName.Classifier, { queue });
  }

  /** Without the schedule, the current model stays in use. */
  protected override periodic(): PeriodicWork[] {
    return [
      {
        job: JobName.RetrainClassifier,
        everyMs: this.config.CLASSIFIER_RETRAIN_MINUTES * 60_000,
        keepFailed: 10,
        run: () => this.retrain(),
      },
    ];
  }

  private async retrain(): Promise<void> {
    await this.training.train();
    // This worker classifies with the new version at once; the others pick it up on their next look.
    await this.classifier.refresh();
  }
}
