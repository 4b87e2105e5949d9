import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues.module';
import { FileScanProcessor } from './jobs/file-scan.processor';
import { ScanningModule } from './scanning.module';

/** Runs the `file-scan` queue: scans of arrived files and the sweep of those waiting for clamd. */
@Module({ imports: [QueuesModule, ScanningModule], providers: [FileScanProcessor] })
export class ScanningWorkerModule {}
