import { Module } from '@nestjs/common';
import { QueuesModule } from '../queues.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { ClamdService } from './clamd.service';
import { FileScansService } from './file-scans.service';

/** The malware scanner (clamd) and the scan state of arrived files, for whoever stores them and for /health. */
@Module({ imports: [QueuesModule, RealtimeModule], providers: [ClamdService, FileScansService], exports: [ClamdService, FileScansService] })
export class ScanningModule {}
