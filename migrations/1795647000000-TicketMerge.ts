import { MigrationInterface, QueryRunner } from 'typeorm';

/** Merging two tickets of one customer keeps the closed one, pointing at the ticket that took its messages. */
export class TicketMerge1795647000000 implements MigrationInterface {
  name = 'TicketMerge1795647000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tickets" ADD "merged_into_id" uuid`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "merged_into_id"`);
  }
}
