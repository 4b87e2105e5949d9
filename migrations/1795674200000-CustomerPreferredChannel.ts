import { MigrationInterface, QueryRunner } from 'typeorm';

/** The channel a customer prefers to be answered on, as staff record it on the customer's profile. */
export class CustomerPreferredChannel1795674200000 implements MigrationInterface {
  name = 'CustomerPreferredChannel1795674200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "customers" ADD "preferred_channel" character varying(16)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "customers" DROP COLUMN "preferred_channel"`);
  }
}
