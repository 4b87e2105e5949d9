import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from './queues';

/**
 * Registers every queue once, so producers and processors in any module share the same definitions. Every name of
 * `QueueName` is registered: a queue added there cannot be forgotten here.
 */
@Module({
  imports: [BullModule.registerQueue(...Object.values(QueueName).map((name) => ({ name })))],
  exports: [BullModule],
})
export class QueuesModule {}
