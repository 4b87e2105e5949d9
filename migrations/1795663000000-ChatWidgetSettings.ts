import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the embeddable chat widget needs per institution, kept as data: the host sites allowed to embed it (the
 * widget page's CSP frame-ancestors, and embed.js refuses to open elsewhere), and its colour, centre name, logo and the privacy notice it links.
 * An institution with no allowed origins cannot be embedded anywhere.
 */
export class ChatWidgetSettings1795663000000 implements MigrationInterface {
  name = 'ChatWidgetSettings1795663000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "institutions" ADD "chat_allowed_origins" text array NOT NULL DEFAULT '{}'`);
    await queryRunner.query(`ALTER TABLE "institutions" ADD "chat_colour" character varying(7)`);
    await queryRunner.query(`ALTER TABLE "institutions" ADD "chat_centre_name" text`);
    await queryRunner.query(`ALTER TABLE "institutions" ADD "chat_logo_url" text`);
    await queryRunner.query(`ALTER TABLE "institutions" ADD "chat_privacy_url" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "institutions" DROP COLUMN "chat_privacy_url"`);
    await queryRunner.query(`ALTER TABLE "institutions" DROP COLUMN "chat_logo_url"`);
    await queryRunner.query(`ALTER TABLE "institutions" DROP COLUMN "chat_centre_name"`);
    await queryRunner.query(`ALTER TABLE "institutions" DROP COLUMN "chat_colour"`);
    await queryRunner.query(`ALTER TABLE "institutions" DROP COLUMN "chat_allowed_origins"`);
  }
}
