import { MigrationInterface, QueryRunner } from 'typeorm';

/** Hours that replace a centre's usual ones on particular dates (open on a holiday, shut for a day, closing early). */
export class CentreSpecialHours1795655000000 implements MigrationInterface {
  name = 'CentreSpecialHours1795655000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "business_hours" ADD "special_hours" jsonb NOT NULL DEFAULT '{}'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "business_hours" DROP COLUMN "special_hours"`);
  }
}
