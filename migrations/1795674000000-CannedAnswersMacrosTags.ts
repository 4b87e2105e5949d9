import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What makes an operator fast: canned answers in three languages, macros (several changes in one action), and
 * each use of either counted; a tag vocabulary per institution and tags on tickets; and the institution's public
 * contact that answers quote.
 */
export class CannedAnswersMacrosTags1795674000000 implements MigrationInterface {
  name = 'CannedAnswersMacrosTags1795674000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "institutions" ADD "public_contact" text`);

    await queryRunner.query(
      `CREATE TABLE "tags" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "institution_id" uuid, "name" character varying(64) NOT NULL, "description" text, "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_tags" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "ux_tags_institution_name" ON "tags" (coalesce("institution_id", '00000000-0000-0000-0000-000000000000'::uuid), lower("name"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "tags" ADD CONSTRAINT "FK_tags_institution" FOREIGN KEY ("institution_id") REFERENCES "institutions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );

    await queryRunner.query(
      `CREATE TABLE "ticket_tags" ("ticket_id" uuid NOT NULL, "tag_id" uuid NOT NULL, "added_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ticket_tags" PRIMARY KEY ("ticket_id", "tag_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_ticket_tags_tag" ON "ticket_tags" ("tag_id", "ticket_id") `);
    await queryRunner.query(
      `ALTER TABLE "ticket_tags" ADD CONSTRAINT "FK_ticket_tags_ticket" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "ticket_tags" ADD CONSTRAINT "FK_ticket_tags_tag" FOREIGN KEY ("tag_id") REFERENCES "tags"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );

    await queryRunner.query(
      `CREATE TABLE "canned_answers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "institution_id" uuid, "owner_agent_id" uuid, "title" character varying(200) NOT NULL, "text_lv" text, "text_ru" text, "text_en" text, "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_canned_answers" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "canned_answers" ADD CONSTRAINT "FK_canned_answers_institution" FOREIGN KEY ("institution_id") REFERENCES "institutions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "canned_answers" ADD CONSTRAINT "FK_canned_answers_owner" FOREIGN KEY ("owner_agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );

    await queryRunner.query(
      `CREATE TABLE "macros" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "institution_id" uuid, "owner_agent_id" uuid, "name" character varying(200) NOT NULL, "canned_answer_id" uuid, "set_status" character varying(24), "set_kind" character varying(16), "add_tags" text array NOT NULL DEFAULT '{}', "escalate_queue" character varying(64), "escalate_reason" text, "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_macros" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "macros" ADD CONSTRAINT "FK_macros_institution" FOREIGN KEY ("institution_id") REFERENCES "institutions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "macros" ADD CONSTRAINT "FK_macros_owner" FOREIGN KEY ("owner_agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "macros" ADD CONSTRAINT "FK_macros_canned_answer" FOREIGN KEY ("canned_answer_id") REFERENCES "canned_answers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );

    await queryRunner.query(
      `CREATE TABLE "answer_uses" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "canned_answer_id" uuid, "macro_id" uuid, "agent_id" uuid NOT NULL, "ticket_id" uuid, "used_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_answer_uses" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_answer_uses_used_at" ON "answer_uses" ("used_at") `);
    await queryRunner.query(
      `ALTER TABLE "answer_uses" ADD CONSTRAINT "FK_answer_uses_canned_answer" FOREIGN KEY ("canned_answer_id") REFERENCES "canned_answers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "answer_uses" ADD CONSTRAINT "FK_answer_uses_macro" FOREIGN KEY ("macro_id") REFERENCES "macros"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "answer_uses"`);
    await queryRunner.query(`DROP TABLE "macros"`);
    await queryRunner.query(`DROP TABLE "canned_answers"`);
    await queryRunner.query(`DROP TABLE "ticket_tags"`);
    await queryRunner.query(`DROP TABLE "tags"`);
    await queryRunner.query(`ALTER TABLE "institutions" DROP COLUMN "public_contact"`);
  }
}
