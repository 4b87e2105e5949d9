import { MigrationInterface, QueryRunner } from 'typeorm';

const SLA_DUE_KEY = `COALESCE("sla_due_at", 'infinity'::timestamptz)`;

/**
 * Indexes for the inbox sorted by SLA due time, the view operators and specialists keep open. The key sorts
 * tickets without a running clock last as a plain value (not NULLS LAST), so the page cursor is a single row
 * comparison an index can seek to. Queue and institution lead, then status, because every inbox view filters by
 * one of them and a status; the centre-wide index serves the lists without either.
 *
 * Not CONCURRENTLY: that waits for every older transaction in the database, so one idle session elsewhere would
 * hold up the migration. Building them takes seconds per million tickets, during which writes to tickets wait; a
 * large installation may create them CONCURRENTLY by hand beforehand, and this migration then leaves them as they are.
 */
export class InboxIndexes1795654000000 implements MigrationInterface {
  name = 'InboxIndexes1795654000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "ix_tickets_inbox_sla_due" ON "tickets" (${SLA_DUE_KEY}, "id")`);
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "ix_tickets_inbox_queue_sla_due" ON "tickets" ("queue_id", "status", ${SLA_DUE_KEY}, "id")`,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "ix_tickets_inbox_institution_sla_due" ON "tickets" ("institution_id", "status", ${SLA_DUE_KEY}, "id")`,
    );
    // Open tickets are a few per cent of all, so status and SLA state are far from independent: without joint
    // statistics the planner takes `status = 'queued' AND sla_state = 'ok'` for a handful of rows and reads them all
    // to sort them, instead of reading the index in order until the page is full.
    await queryRunner.query(
      `CREATE STATISTICS IF NOT EXISTS "st_tickets_status_sla_state" (mcv, dependencies) ON "status", "sla_state" FROM "tickets"`,
    );
    // Superseded by ix_tickets_inbox_sla_due, which orders the same rows the way the inbox asks for them.
    await queryRunner.query(`DROP INDEX IF EXISTS "ix_tickets_sla_due"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "ix_tickets_sla_due" ON "tickets" ("sla_due_at", "id")`);
    await queryRunner.query(`DROP STATISTICS IF EXISTS "st_tickets_status_sla_state"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "ix_tickets_inbox_institution_sla_due"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "ix_tickets_inbox_queue_sla_due"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "ix_tickets_inbox_sla_due"`);
  }
}
