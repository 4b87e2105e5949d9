import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Call recordings live at Twilio as well as in our rows: clearing our link (erasure, retention) must also delete
 * Twilio's copy. The clearing transaction writes the recording here, and a sweep deletes it at Twilio and marks it
 * done, retrying with backoff while Twilio cannot be reached; so an erasure never depends on Twilio answering at
 * that moment, and no recording is forgotten. Only Twilio's ids are kept: no number, no link.
 */
export class RecordingDeletions1795685000000 implements MigrationInterface {
  name = 'RecordingDeletions1795685000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "recording_deletions" (
        "recording_sid" character varying(64) NOT NULL,
        "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "attempts" integer NOT NULL DEFAULT 0,
        "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "last_error" text,
        "deleted_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_recording_deletions" PRIMARY KEY ("recording_sid"),
        CONSTRAINT "CHK_recording_deletions_sid" CHECK (recording_sid ~ '^RE[0-9a-f]{32}$')
      )`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_recording_deletions_due" ON "recording_deletions" ("next_attempt_at") WHERE deleted_at IS NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "recording_deletions"`);
  }
}
