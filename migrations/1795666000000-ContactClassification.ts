import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Level 0 classifies free-text contacts: each ticket it classified keeps the model version and the confidence (and
 * whether it was left unclassified, below the threshold); trained models are kept as JSON so every process loads
 * the same version; an operator's correction of a ticket's institution, topic or kind is kept as a labelled example
 * (one row per ticket, the latest labels; the text is read from the ticket when training, so it is never copied).
 */
export class ContactClassification1795666000000 implements MigrationInterface {
  name = 'ContactClassification1795666000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tickets" ADD "classifier_version" integer`);
    await queryRunner.query(`ALTER TABLE "tickets" ADD "classifier_confidence" real`);
    await queryRunner.query(`ALTER TABLE "tickets" ADD "unclassified" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(
      `CREATE TABLE "classifier_models" ("version" integer NOT NULL, "model" jsonb NOT NULL, "example_count" integer NOT NULL, "correction_count" integer NOT NULL, "trained_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_classifier_models" PRIMARY KEY ("version"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "classification_corrections" ("ticket_id" uuid NOT NULL, "institution_id" uuid, "topic" text, "kind" character varying(16), "agent_id" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_classification_corrections" PRIMARY KEY ("ticket_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "classification_corrections" ADD CONSTRAINT "FK_classification_corrections_ticket" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "classification_corrections" ADD CONSTRAINT "FK_classification_corrections_institution" FOREIGN KEY ("institution_id") REFERENCES "institutions"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "classification_corrections"`);
    await queryRunner.query(`DROP TABLE "classifier_models"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "unclassified"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "classifier_confidence"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "classifier_version"`);
  }
}
