import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Custom fields per institution: the fields an institution's tickets carry beyond the common ones (its own case
 * number, a decision date, an outcome from its list), and each ticket's values. A value is jsonb so a number stays
 * a number in the API and the exports; its type is checked against the definition by the API on every write.
 */
export class CustomFields1795681000000 implements MigrationInterface {
  name = 'CustomFields1795681000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "custom_field_definitions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "institution_id" uuid NOT NULL, "key" character varying(48) NOT NULL, "label_lv" character varying(200) NOT NULL, "label_en" character varying(200) NOT NULL, "type" character varying(16) NOT NULL, "choices" text array NOT NULL DEFAULT '{}', "required" boolean NOT NULL DEFAULT false, "active" boolean NOT NULL DEFAULT true, "position" integer NOT NULL DEFAULT 0, "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_custom_field_definitions_type" CHECK ("type" IN ('text', 'number', 'date', 'choice')), CONSTRAINT "PK_custom_field_definitions" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_custom_field_definitions_institution_key" ON "custom_field_definitions" ("institution_id", "key")`,
    );
    await queryRunner.query(
      `ALTER TABLE "custom_field_definitions" ADD CONSTRAINT "FK_custom_field_definitions_institution" FOREIGN KEY ("institution_id") REFERENCES "institutions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );

    await queryRunner.query(
      `CREATE TABLE "ticket_custom_field_values" ("ticket_id" uuid NOT NULL, "field_id" uuid NOT NULL, "value" jsonb NOT NULL, "updated_by_id" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ticket_custom_field_values" PRIMARY KEY ("ticket_id", "field_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_ticket_custom_field_values_field" ON "ticket_custom_field_values" ("field_id")`);
    await queryRunner.query(
      `ALTER TABLE "ticket_custom_field_values" ADD CONSTRAINT "FK_ticket_custom_field_values_ticket" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // A definition with values is switched off, not deleted (the API refuses): the values stay in the exports.
    await queryRunner.query(
      `ALTER TABLE "ticket_custom_field_values" ADD CONSTRAINT "FK_ticket_custom_field_values_field" FOREIGN KEY ("field_id") REFERENCES "custom_field_definitions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "ticket_custom_field_values"`);
    await queryRunner.query(`DROP TABLE "custom_field_definitions"`);
  }
}
