import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The events accepted together go on the `inbound` queue as one job, named by the batch: BullMQ ran two Lua scripts
 * and kept a job in Redis for every web form and every call, which was the most of Redis's work per event and a
 * tenth of the API's. The batch is recorded with each event so that the pending sweep, and a replay of an event
 * still waiting, can find the batch's job, or make it again with all the batch's waiting events when Redis lost it.
 * Events accepted before have none, and keep their job of one event.
 *
 * No index: a batch's events were inserted by one statement with one `received_at`, so they are found through the
 * pending events' index on it.
 */
export class InboundEventBatches1795691000000 implements MigrationInterface {
  name = 'InboundEventBatches1795691000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "inbound_events" ADD COLUMN IF NOT EXISTS "batch_id" uuid`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "inbound_events" DROP COLUMN IF EXISTS "batch_id"`);
  }
}
