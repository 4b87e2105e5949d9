import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Level 2 and 3 queues for every institution that takes cases (its specialists and its experts), and a place on
 * each Escalation row for the reason given by the person who moved the ticket.
 */
export class EscalationLevels1795644000000 implements MigrationInterface {
  name = 'EscalationLevels1795644000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "escalations" ADD "comment" text`);
    await queryRunner.query(
      `INSERT INTO queues (code, name, institution_id, level, is_general)
       SELECT i.code || '-L' || l.level, i.code || ' — ' || i.name_lv || ' (' || l.level || '. līmenis)', i.id, l.level, false
       FROM institutions i CROSS JOIN (VALUES (2), (3)) AS l(level)
       WHERE i.accepts_cases ON CONFLICT (code) DO NOTHING`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM queues WHERE level IN (2, 3) AND code ~ '-L[23]$'`);
    await queryRunner.query(`ALTER TABLE "escalations" DROP COLUMN "comment"`);
  }
}
