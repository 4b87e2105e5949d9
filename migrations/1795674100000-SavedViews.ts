import { MigrationInterface, QueryRunner } from 'typeorm';

/** Saved views of the inbox: a filter and sort, an agent's own, an institution team's or the centre's. */
export class SavedViews1795674100000 implements MigrationInterface {
  name = 'SavedViews1795674100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "saved_views" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "institution_id" uuid, "owner_agent_id" uuid, "name" character varying(200) NOT NULL, "filters" jsonb NOT NULL DEFAULT '{}', "sort" character varying(16) NOT NULL DEFAULT 'created', "sort_order" character varying(8) NOT NULL DEFAULT 'newest', "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_saved_views" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "saved_views" ADD CONSTRAINT "FK_saved_views_institution" FOREIGN KEY ("institution_id") REFERENCES "institutions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "saved_views" ADD CONSTRAINT "FK_saved_views_owner" FOREIGN KEY ("owner_agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "saved_views"`);
  }
}
