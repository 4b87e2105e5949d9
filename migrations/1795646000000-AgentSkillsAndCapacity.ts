import { MigrationInterface, QueryRunner } from 'typeorm';

export class AgentSkillsAndCapacity1795646000000 implements MigrationInterface {
  name = 'AgentSkillsAndCapacity1795646000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agents" ADD "skills" text array NOT NULL DEFAULT '{}'`);
    await queryRunner.query(
      `ALTER TABLE "agents" ADD "capacity" jsonb NOT NULL DEFAULT '{"voice":1,"chat":3,"email":10,"webform":10,"social":5}'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "capacity"`);
    await queryRunner.query(`ALTER TABLE "agents" DROP COLUMN "skills"`);
  }
}
