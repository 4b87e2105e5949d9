import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues.module';
import { ClassificationModule } from './classification.module';
import { ClassifierRetrainProcessor } from './jobs/classifier-retrain.processor';

@Module({ imports: [QueuesModule, ClassificationModule], providers: [ClassifierRetrainProcessor] })
export class ClassificationWorkerModule {}
