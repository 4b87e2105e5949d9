import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The periodic readers of the big tables, each with a partial index over just the rows it looks for. At
 * 1,000,000 tickets and 10,000,000 messages each scanned a whole table on every run, and together they kept
 * PostgreSQL busy while nobody was working (measured with bench:console's data): the outbound sweep looking for
 * replies still queued (2.1 s a run), the SLA's adoption of tickets without clocks (0.2 s) and the supervisors'
 * board counting what each agent handled today (1.3 s).
 *
 * Not CONCURRENTLY, for the reason InboxIndexes gives.
 */
export class SweepIndexes1795687000000 implements MigrationInterface {
  name = 'SweepIndexes1795687000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "ix_messages_outbound_queued" ON "messages" ("created_at")
       WHERE "direction" = 'outbound' AND "delivery_status" = 'queued'`,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "ix_tickets_sla_untracked" ON "tickets" ("created_at")
       WHERE "sla_policy_id" IS NULL AND "sla_state" IS NULL AND "status" NOT IN ('resolved', 'closed', 'bot')`,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "ix_messages_agent_replies" ON "messages" ("created_at")
       WHERE "author_type" = 'agent' AND "direction" = 'outbound' AND NOT "internal"`,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "ix_tickets_resolved_by" ON "tickets" ("resolved_at") WHERE "assignee_id" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "ix_tickets_resolved_by"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "ix_messages_agent_replies"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "ix_tickets_sla_untracked"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "ix_messages_outbound_queued"`);
  }
}
