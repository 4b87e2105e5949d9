import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { QueueName } from './queues';

/** Registers every queue once, so producers and processors in any module share the same definitions. */
@Module({
  imports: [BullModule.registerQueue({ name: QueueName.Inbound }, { name: QueueName.Outbound }, { name: QueueName.Webhooks }, { name: QueueName.Routing }, { name: QueueName.Sla }, { name: QueueName.Supervision }, { name: QueueName.SocialMedia }, { name: QueueName.SubjectRequests }, { name: QueueName.Retention }, { name: QueueName.Classifier }, { name: QueueName.FileScan }, { name: QueueName.FollowUps })],
  exports: [BullModule],
})
export class QueuesModule {}
