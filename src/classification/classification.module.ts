import { Module } from '@nestjs/common';
import { ClassifierTrainingService } from './classifier-training.service';
import { ContactClassifierService } from './contact-classifier.service';

/** Level 0's classifier of free-text contacts: the model every process classifies with, and its training. */
@Module({
  providers: [ClassifierTrainingService, ContactClassifierService],
  exports: [ClassifierTrainingService, ContactClassifierService],
})
export class ClassificationModule {}
