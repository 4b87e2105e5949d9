import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every arriving file is scanned by clamd before staff may open it. Files stored before scanning existed (and
 * those stored while CLAMAV_URL is unset) are 'not_scanned': served as before, and shown as such. New files
 * start 'pending' when a scanner is configured; the partial index is what the retry sweep reads.
 */
export class AttachmentScans1795675000000 implements MigrationInterface {
  name = 'AttachmentScans1795675000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "attachments" ADD "scan_status" text NOT NULL DEFAULT 'not_scanned'`);
    await queryRunner.query(`ALTER TABLE "attachments" ADD "scan_threat" text`);
    await queryRunner.query(`ALTER TABLE "attachments" ADD "scanned_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `ALTER TABLE "attachments" ADD CONSTRAINT "CHK_attachments_scan_status" CHECK (scan_status IN ('pending', 'clean', 'infected', 'not_scanned'))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_attachments_scan_pending" ON "attachments" ("created_at") WHERE scan_status = 'pending'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_attachments_scan_pending"`);
    await queryRunner.query(`ALTER TABLE "attachments" DROP CONSTRAINT "CHK_attachments_scan_status"`);
    await queryRunner.query(`ALTER TABLE "attachments" DROP COLUMN "scanned_at"`);
    await queryRunner.query(`ALTER TABLE "attachments" DROP COLUMN "scan_threat"`);
    await queryRunner.query(`ALTER TABLE "attachments" DROP COLUMN "scan_status"`);
  }
}
