import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The channel a customer prefers to be answered on, as staff record it on the customer's profile; and merging two
 * records of one person with what moved kept, so it can be undone.
 */
export class CustomerProfileAndMerges1795674200000 implements MigrationInterface {
  name = 'CustomerProfileAndMerges1795674200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "customers" ADD "preferred_channel" character varying(16)`);
    await queryRunner.query(`ALTER TABLE "customers" ADD "merged_into_id" uuid`);
    await queryRunner.query(
      `CREATE TABLE "customer_merges" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kept_customer_id" uuid NOT NULL, "merged_customer_id" uuid NOT NULL, "ticket_ids" uuid array NOT NULL, "identifier_ids" uuid array NOT NULL, "actor_agent_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "undo_until" TIMESTAMP WITH TIME ZONE NOT NULL, "undone_at" TIMESTAMP WITH TIME ZONE, "undone_by_id" uuid, CONSTRAINT "PK_customer_merges" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_customer_merges_kept" ON "customer_merges" ("kept_customer_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "customer_merges"`);
    await queryRunner.query(`ALTER TABLE "customers" DROP COLUMN "merged_into_id"`);
    await queryRunner.query(`ALTER TABLE "customers" DROP COLUMN "preferred_channel"`);
  }
}
