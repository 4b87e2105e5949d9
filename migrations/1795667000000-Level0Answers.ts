import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Level 0 may answer a written question from the knowledge base, topic by topic: a supervisor turns a topic on
 * when its articles are good enough to send unread, and off again at once. A topic without a row is off.
 */
export class Level0Answers1795667000000 implements MigrationInterface {
  name = 'Level0Answers1795667000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "topic_auto_answers" ("topic" text NOT NULL, "enabled" boolean NOT NULL DEFAULT false, "updated_by_id" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_topic_auto_answers" PRIMARY KEY ("topic"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "topic_auto_answers"`);
  }
}
