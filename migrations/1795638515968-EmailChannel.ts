import { MigrationInterface, QueryRunner } from 'typeorm';

export class EmailChannel1795638515968 implements MigrationInterface {
  name = 'EmailChannel1795638515968';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "mailboxes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(64) NOT NULL, "address" text NOT NULL, "institution_id" uuid, "host" text NOT NULL, "port" integer NOT NULL, "tls" boolean NOT NULL DEFAULT true, "username" text NOT NULL, "password" text NOT NULL, "folder" text NOT NULL DEFAULT 'INBOX', "processed_action" character varying(8) NOT NULL DEFAULT 'flag', "processed_folder" text NOT NULL DEFAULT 'Processed', "enabled" boolean NOT NULL DEFAULT true, "uid_validity" bigint, "last_uid" bigint NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_5362af2557158732552a6c80691" UNIQUE ("name"), CONSTRAINT "PK_1471bf7ef6d7f1279fbbdf89a1d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`ALTER TABLE "tickets" ADD "origin_address" text`);
    await queryRunner.query(`ALTER TABLE "tickets" ADD "follow_up_of_id" uuid`);
    await queryRunner.query(`ALTER TABLE "messages" ADD "address" text`);
    await queryRunner.query(`ALTER TABLE "messages" ADD "meta" jsonb NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`CREATE INDEX "ix_messages_bot_address" ON "messages" ("address", "created_at") WHERE author_type = 'bot'`);
    await queryRunner.query(
      `ALTER TABLE "mailboxes" ADD CONSTRAINT "FK_8b5885e50ccde126f1a8bd56236" FOREIGN KEY ("institution_id") REFERENCES "institutions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "mailboxes" DROP CONSTRAINT "FK_8b5885e50ccde126f1a8bd56236"`);
    await queryRunner.query(`DROP INDEX "ix_messages_bot_address"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "meta"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP COLUMN "address"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "follow_up_of_id"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP COLUMN "origin_address"`);
    await queryRunner.query(`DROP TABLE "mailboxes"`);
  }
}
