import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { JobName, QueueName, scheduleEvery } from '../../queues';
import { ClassifierTrainingService } from '../classifier-training.service';
import { ContactClassifierService } from '../contact-classifier.service';

/**
 * Retrains the contact classifier on a schedule shared by all workers (one job per tick), one run at a time in each
 * worker (concurrency 1) and across workers (the training takes an advisory lock). Safe to run twice: a second run
 * only stores one more, identical, version.
 */
@Processor(QueueName.Classifier, { concurrency: 1 })
export class ClassifierRetrainProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(ClassifierRetrainProcessor.name);

  constructor(
    private readonly training: ClassifierTrainingService,
    private readonly classifier: ContactClassifierService,
    private readonly config: AppConfig,
    @InjectQueue(QueueName.Classifier) private readonly queue: Queue,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!(await scheduleEvery(this.queue, JobName.RetrainClassifier, this.config.CLASSIFIER_RETRAIN_MINUTES * 60_000, 10))) {
      this.logger.warn('could not schedule classifier retraining; the current model stays in use');
    }
  }

  async process(job: Job): Promise<void> {
    if (job.name !== JobName.RetrainClassifier) return;
    await this.training.train();
    // This worker classifies with the new version at once; the others pick it up on their next look.
    await this.classifier.refresh();
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn({ err: error }, '%s worker error (it reconnects by itself)', 'classifier');
  }
}
